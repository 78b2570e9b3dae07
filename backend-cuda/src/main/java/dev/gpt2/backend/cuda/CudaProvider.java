package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.Probe;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Provides the CUDA backend under the name {@code cuda}, priority 300. The probe finds the driver, device 0, NVRTC
 * and cuBLAS once per process; without them it is unavailable with a reason naming what was looked for and where.
 */
public final class CudaProvider implements BackendProvider {
    /** The name users select it by. */
    public static final String NAME = "cuda";

    static final Set<Capability> CAPABILITIES = EnumSet.of(Capability.DEVICE_RESIDENT, Capability.DEVICE_SAMPLING,
            Capability.FUSED_ATTENTION);

    public CudaProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public Probe probe() {
        return probe(CudaRuntime.system());
    }

    static Probe probe(CudaRuntime.Discovery discovery) {
        return switch (discovery) {
            case CudaRuntime.Ready r -> Probe.available(r.runtime().device().describe() + ", CUDA driver "
                    + CudaRuntime.versionText(r.runtime().driverVersion()), CAPABILITIES, weightTypes(r.runtime()));
            case CudaRuntime.Missing m -> Probe.unavailable(m.reason());
        };
    }

    /** F32 and F16 everywhere; BF16 where cuBLAS has BF16 tensor-core GEMMs (compute capability 8.0 and newer). */
    static Set<DType> weightTypes(CudaRuntime runtime) {
        return runtime.device().major() >= 8 ? EnumSet.of(DType.F32, DType.F16, DType.BF16)
                : EnumSet.of(DType.F32, DType.F16);
    }

    @Override
    public Backend open(BackendConfig config) {
        return switch (CudaRuntime.system()) {
            case CudaRuntime.Ready r -> new CudaBackend(r.runtime(), new KernelCache(KernelCache.defaultDir(
                    System.getProperty(KernelCache.PROPERTY), System.getenv(),
                    Path.of(System.getProperty("user.home", ".")))));
            case CudaRuntime.Missing m -> throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE,
                    "the cuda backend is unavailable: " + m.reason());
        };
    }
}
