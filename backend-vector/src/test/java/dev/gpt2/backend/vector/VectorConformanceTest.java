package dev.gpt2.backend.vector;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;
import dev.gpt2.backend.vector.cpu.Simd;

/**
 * The conformance suite on the vector backend as users get it: found by name, at the width {@code gpt2.vector.bits}
 * selects (the build runs it at the CPU's widest and again at 128 bits).
 */
class VectorConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return named(VectorProvider.NAME);
    }

    @Override
    protected String label() {
        return VectorProvider.NAME + " (" + Simd.fromProperty().describe() + ")";
    }
}
