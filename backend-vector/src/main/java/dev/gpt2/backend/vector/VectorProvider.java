package dev.gpt2.backend.vector;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.Probe;
import dev.gpt2.backend.vector.cpu.CpuBackend;
import dev.gpt2.backend.vector.cpu.Simd;
import dev.gpt2.backend.vector.cpu.VectorMatmul;

import java.util.EnumSet;

/**
 * Provides the pure-Java backend under the name {@value #NAME}, priority 100: available wherever Java runs, at the
 * vector width {@code -Dgpt2.vector.bits} selects (see the package documentation).
 */
public final class VectorProvider implements BackendProvider {
    /** The name users select it by. */
    public static final String NAME = "vector";

    public VectorProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Probe probe() {
        try {
            Simd simd = Simd.fromProperty();
            return Probe.available(CpuBackend.device(simd.describe()),
                    CpuBackend.capabilities(Capability.BATCH_INVARIANT, Capability.FUSED_ATTENTION),
                    EnumSet.allOf(DType.class));
        } catch (IllegalArgumentException | LinkageError e) {
            return Probe.unavailable(e.getMessage());
        }
    }

    @Override
    public Backend open(BackendConfig config) {
        Simd simd;
        try {
            simd = Simd.fromProperty();
        } catch (IllegalArgumentException e) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, e.getMessage(), e);
        }
        return new CpuBackend(NAME, config, simd, VectorMatmul::new);
    }
}
