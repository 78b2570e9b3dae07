package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.DeviceLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitsTest {

    @Test
    void bandwidthHasItsBestAndMedianPassAndThePeakIsPlausible() {
        ComputePool pool = new ComputePool(2, "limits-test");
        try {
            DeviceLimits l = Limits.measure(pool, Duration.ofMillis(200));
            assertTrue(l.readBytesPerSecond() > 1e9 && l.readBytesPerSecond() < 1e13, l.toString());
            assertTrue(l.typicalReadBytesPerSecond() > 0 && l.typicalReadBytesPerSecond() <= l.readBytesPerSecond(),
                    "the median pass is at most the best: " + l);
            assertTrue(l.fp32FlopsPerSecond() > 1e9 && l.fp32FlopsPerSecond() < 1e14, l.toString());
            assertTrue(l.method().contains("best and median of") && l.method().contains("2 threads"), l.method());
        } finally {
            pool.close();
        }
    }
}
