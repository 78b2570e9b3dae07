package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.DeviceLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelChecks} on the CPU emulator ({@link Emulator}), with a smaller vocabulary; skipped without g++. */
class EmulatedKernelsTest extends KernelChecks {
    @Override
    protected BackendProvider provider() {
        return Emulator.provider();
    }

    @Override
    protected int vocabulary() {
        return 3001;
    }

    @Test
    void describesTheEmulatedDeviceAndMeasuresSomething() {
        Map<String, String> d = backend().describe();
        assertEquals("Emulated GPU (sm_90, 2 SMs, 16.0 GiB)", d.get("device"));
        assertEquals("exact (gpt2.cuda.matmul)", d.get("matmuls above 8 rows"));
        DeviceLimits limits = backend().measureLimits(Duration.ofMillis(10)).orElseThrow();
        assertTrue(limits.readBytesPerSecond() > 0 && limits.fp32FlopsPerSecond() > 0, limits.toString());
        assertTrue(limits.method().startsWith("Emulated GPU: a reduction reading 16.0 MiB"), limits.method());
    }
}
