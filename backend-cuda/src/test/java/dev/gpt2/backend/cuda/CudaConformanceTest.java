package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;

/** The conformance suite on the cuda backend as users get it; skipped, with the probe's reason, without a GPU. */
class CudaConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return named(CudaProvider.NAME);
    }
}
