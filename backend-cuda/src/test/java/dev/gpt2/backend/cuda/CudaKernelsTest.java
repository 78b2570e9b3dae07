package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.DeviceLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelChecks} on the GPU, and the device's measured limits; skipped without a usable GPU. */
class CudaKernelsTest extends KernelChecks {
    @Override
    protected BackendProvider provider() {
        return new CudaProvider();
    }

    @Test
    void describeAndMeasureLimits() {
        System.out.println(backend().describe());
        DeviceLimits limits = backend().measureLimits(Duration.ofMillis(400)).orElseThrow();
        System.out.printf("read %.0f GB/s, FP32 %.1f TFLOPS (%s)%n", limits.readBytesPerSecond() / 1e9,
                limits.fp32FlopsPerSecond() / 1e12, limits.method());
        assertTrue(limits.readBytesPerSecond() > 1e10, limits.toString());
        assertTrue(limits.fp32FlopsPerSecond() > 1e11, limits.toString());
    }
}
