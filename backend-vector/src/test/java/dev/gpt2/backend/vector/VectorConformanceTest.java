package dev.gpt2.backend.vector;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;

/** The conformance suite on the vector backend as users get it (found by name, at the configured vector width). */
class VectorConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return named(VectorProvider.NAME);
    }
}
