package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;
import dev.gpt2.backend.vector.VectorProvider;

/** The conformance suite on the vector backend with the Vector API turned off (plain Java kernels). */
class ScalarConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return new VectorProvider();
    }

    @Override
    protected Backend open(BackendConfig config) {
        return new CpuBackend(VectorProvider.NAME, config, Simd.scalar(), VectorMatmul::new);
    }

    @Override
    protected String label() {
        return "vector (plain Java)";
    }
}
