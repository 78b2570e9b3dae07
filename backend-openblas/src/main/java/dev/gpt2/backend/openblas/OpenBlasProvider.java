package dev.gpt2.backend.openblas;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Probe;
import dev.gpt2.backend.vector.cpu.CpuBackend;
import dev.gpt2.backend.vector.cpu.Simd;

import java.util.EnumSet;

/**
 * Provides the OpenBLAS backend under the name {@value #NAME}: the CPU backend of {@code backend-vector} (tensors,
 * KV caches, layer norm, embeddings, sampling) with its big products and the attention of prompts on OpenBLAS
 * ({@link BlasMatmul}).
 *
 * <p>Priority {@value #PRIORITY}, above the vector backend's 100, from measurement (kernel calls of both backends
 * interleaved on 2 shared Zen 5 vCPUs, GPT-2 124M): attention over a 512-token prompt about 4 times faster, the
 * prefill matmuls on par with OpenBLAS's AVX-512 kernels, decode on par or faster. With OpenBLAS held by
 * {@code OPENBLAS_CORETYPE} to kernels narrower than the CPU's (Haswell's AVX2 on an AVX-512 CPU) its matmuls take
 * about twice as long and the whole 512-token prefill runs at 0.6-0.7 of the vector backend's (762 against 1209
 * tokens/s, 806-826 against 1154-1215 in runs alternating the two): then its priority is
 * {@value #PRIORITY_NARROW_KERNELS}, below vector's, so that the default is the faster one.
 *
 * <p>Unavailable, with the reason, when the native library does not load (see the module documentation for the
 * natives jars of each platform).
 */
public final class OpenBlasProvider implements BackendProvider {
    /** The name users select it by. */
    public static final String NAME = "openblas";
    /** Rank among available backends. */
    public static final int PRIORITY = 200;
    /** Rank when the environment holds OpenBLAS to kernels narrower than the CPU's: below vector's 100. */
    public static final int PRIORITY_NARROW_KERNELS = 90;

    public OpenBlasProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return priority(OpenBlasLibrary.narrowedByEnvironment());
    }

    static int priority(boolean narrowKernels) {
        return narrowKernels ? PRIORITY_NARROW_KERNELS : PRIORITY;
    }

    @Override
    public Probe probe() {
        try {
            OpenBlasLibrary.Status status = OpenBlasLibrary.status();
            if (!status.loaded()) {
                return Probe.unavailable(status.reason());
            }
            Simd simd = Simd.fromProperty();
            return Probe.available(CpuBackend.device(OpenBlasLibrary.describe() + ", " + simd.describe()),
                    CpuBackend.capabilities(), EnumSet.allOf(DType.class));
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("the OpenBLAS backend failed to start: " + e.getMessage());
        }
    }

    @Override
    public Backend open(BackendConfig config) {
        OpenBlasLibrary.Status status = OpenBlasLibrary.status();
        if (!status.loaded()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, status.reason());
        }
        Simd simd;
        try {
            simd = Simd.fromProperty();
        } catch (IllegalArgumentException e) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, e.getMessage(), e);
        }
        return new CpuBackend(NAME, config, simd, BlasMatmul::new);
    }
}
