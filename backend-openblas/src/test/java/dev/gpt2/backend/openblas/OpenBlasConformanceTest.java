package dev.gpt2.backend.openblas;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;

/** The conformance suite on the OpenBLAS backend as users get it (found by name). */
class OpenBlasConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return named(OpenBlasProvider.NAME);
    }
}
