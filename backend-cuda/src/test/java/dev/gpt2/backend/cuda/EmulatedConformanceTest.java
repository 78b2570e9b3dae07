package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.backend.conformance.KernelConformance;

/**
 * The conformance suite on the cuda backend running on the CPU emulator ({@link Emulator}): the real backend code,
 * FFM bindings and kernels, with the driver, cuBLAS and NVRTC faked. Skipped without g++.
 */
class EmulatedConformanceTest extends KernelConformance {
    @Override
    protected BackendProvider provider() {
        return Emulator.provider();
    }
}
