package dev.gpt2.backend.vector;

import dev.gpt2.backend.conformance.ModelConformance;
import dev.gpt2.backend.vector.cpu.Simd;

/** The model conformance suite on the vector backend as users get it: selected by name through gpt2-core. */
class VectorModelConformanceTest extends ModelConformance {
    @Override
    protected String backend() {
        return VectorProvider.NAME;
    }

    @Override
    protected String label() {
        return VectorProvider.NAME + " (" + Simd.fromProperty().describe() + ")";
    }
}
