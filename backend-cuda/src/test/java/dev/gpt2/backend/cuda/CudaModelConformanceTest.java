package dev.gpt2.backend.cuda;

import dev.gpt2.backend.conformance.ModelConformance;

/**
 * The model conformance suite on the cuda backend as users get it: selected by name through gpt2-core. Skipped, with
 * the probe's reason, where there is no GPU.
 */
class CudaModelConformanceTest extends ModelConformance {
    @Override
    protected String backend() {
        return CudaProvider.NAME;
    }

    @Override
    protected boolean skipWhenUnavailable() {
        return true;
    }
}
