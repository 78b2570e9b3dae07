package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

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
    void fastPrecisionRoundsActivationsToTheWeightsType() {
        int rows = 20;
        int k = 64;
        int n = 48;
        Random random = new Random(5);
        float[] w = new float[k * n];
        float[] x = new float[rows * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        WeightView wv = new WeightView("w", DType.F32, k, n, MemorySegment.ofArray(w));
        WeightView bv = new WeightView("b", DType.F32, 1, n, MemorySegment.ofArray(new float[n]));
        float[] got = new float[rows * n];
        try (Backend fast = openWith(MatmulPrecision.PROPERTY, "fast")) {
            assertEquals("fast (gpt2.cuda.matmul)", fast.describe().get("matmuls above 8 rows"));
            Tensor xt = fast.allocate(rows, k);
            Tensor out = fast.allocate(rows, n);
            fast.write(xt, x);
            fast.matmul(out, xt, rows, fast.upload(wv, WeightRole.MATMUL, DType.BF16),
                    fast.upload(bv, WeightRole.VECTOR, DType.F32), Epilogue.STORE);
            fast.read(out, 0, rows, got);
        }
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double rounded = 0;
                for (int i = 0; i < k; i++) {
                    float wij = WeightFormats.roundTrip(w[i * n + j], DType.BF16);
                    exact += (double) x[r * k + i] * wij;
                    rounded += (double) WeightFormats.roundTrip(x[r * k + i], DType.BF16) * wij;
                }
                assertEquals(rounded, got[r * n + j], 1e-4 * (1 + Math.abs(rounded)), "row " + r + " col " + j);
                worst = Math.max(worst, Math.abs(exact - got[r * n + j]));
            }
        }
        assertTrue(worst > 1e-4, "fast precision should round the activations to bf16; max |diff| " + worst);
    }

    @Test
    void debugModeWaitsAfterEveryOpAndSendsNoGraphs() {
        try (Backend debug = openWith(CudaBackend.DEBUG_PROPERTY, "true")) {
            assertEquals("off", debug.describe().get("CUDA graphs"));
            assertTrue(debug.describe().get("debug").startsWith("on"));
            WeightView g = new WeightView("g", DType.F32, 1, 4, MemorySegment.ofArray(new float[] {1, 1, 1, 1}));
            Tensor gt = debug.upload(g, WeightRole.VECTOR, DType.F32);
            Tensor x = debug.allocate(1, 4);
            float[] out = new float[4];
            for (int i = 0; i < 6; i++) {
                debug.write(x, new float[] {1, 2, 3, 4 + i});
                debug.layerNorm(x, x, 1, gt, gt, 1e-5f);
                debug.layerNorm(x, x, 1, gt, gt, 1e-5f);
                debug.read(x, 0, 1, out);
                assertEquals(0, out[0] + out[1] + out[2] + out[3] - 4, 1e-5);
            }
            assertEquals("off", debug.describe().get("CUDA graphs"));
        }
    }

    /** A second emulated backend opened with a system property set (restored afterwards). */
    private Backend openWith(String property, String value) {
        String before = System.getProperty(property);
        System.setProperty(property, value);
        try {
            return provider().open(new BackendConfig(0));
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
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
