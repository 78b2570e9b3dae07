package dev.gpt2.backend.openblas;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
import dev.gpt2.backend.conformance.KernelConformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the time of each big kernel of GPT-2 124M on the openblas and vector backends, side by side in one JVM
 * (calls interleaved, median and best of {@code -Dgpt2.reps} after warm-up), for choosing kernels and priorities. Not a benchmark and asserts
 * nothing: run it by hand on a quiet machine with {@code mvn -pl backend-openblas -am verify
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=BackendThroughputTest -Dgpt2.throughput=true}.
 */
@EnabledIfSystemProperty(named = "gpt2.throughput", matches = "true")
class BackendThroughputTest {
    private static final int C = 768;
    private static final int HEADS = 12;
    private static final int V = 50257;
    private static final int REPS = Integer.getInteger("gpt2.reps", 15);

    /** One backend's tensors for the kernels timed. */
    private record Setup(String name, Backend backend, Map<String, Runnable> kernels) {
    }

    @Test
    void kernelsOfGpt2Small() {
        try (Arena arena = Arena.ofShared()) {
            WeightView fc = weight(arena, "c_fc", C, 4 * C);
            WeightView proj = weight(arena, "c_proj", 4 * C, C);
            WeightView wte = weight(arena, "wte", V, C);
            for (int rows : new int[] {512, 1}) {
                List<Setup> setups = new ArrayList<>();
                for (String name : List.of(OpenBlasProvider.NAME, "vector")) {
                    Backend b = KernelConformance.named(name).open(new BackendConfig(0));
                    setups.add(new Setup(name, b, kernels(b, rows, fc, proj, wte)));
                }
                for (String kernel : setups.getFirst().kernels().keySet()) {
                    double[][] times = new double[setups.size()][REPS];
                    for (int rep = -3; rep < REPS; rep++) {   // interleaved, so that load changes hit both alike
                        for (int i = 0; i < setups.size(); i++) {
                            long t = System.nanoTime();
                            setups.get(i).kernels().get(kernel).run();
                            if (rep >= 0) {
                                times[i][rep] = (System.nanoTime() - t) / 1e6;
                            }
                        }
                    }
                    for (int i = 0; i < setups.size(); i++) {
                        Arrays.sort(times[i]);
                        System.out.printf("%-9s %4d rows  %-23s median %9.3f ms  best %9.3f ms%n",
                                setups.get(i).name(), rows, kernel, times[i][REPS / 2], times[i][0]);
                    }
                }
                setups.forEach(s -> s.backend().close());
            }
        }
    }

    private static Map<String, Runnable> kernels(Backend b, int rows, WeightView fc, WeightView proj,
                                                 WeightView wte) {
        Tensor wFc = b.upload(fc, WeightRole.MATMUL, DType.F32);
        Tensor wProj = b.upload(proj, WeightRole.MATMUL, DType.F32);
        Tensor e = b.upload(wte, WeightRole.TOKEN_EMBEDDING, DType.F32);
        Tensor bias4 = b.allocate(1, 4 * C);
        Tensor bias = b.allocate(1, C);
        b.write(bias4, new float[4 * C]);
        b.write(bias, new float[C]);
        Tensor x = filled(b, rows, C);
        Tensor h = b.allocate(rows, 4 * C);
        Tensor y = filled(b, rows, C);
        Tensor qkv = filled(b, rows, 3 * C);
        Tensor att = b.allocate(rows, C);
        Tensor logits = b.allocate(1, V);
        int past = rows == 1 ? 511 : 0;
        KvCache cache = b.allocateCache(1, HEADS, C / HEADS, 512);
        if (past > 0) {
            b.attention(b.allocate(past, C), filled(b, past, 3 * C), 0, AttentionBatch.single(cache, past, 0));
        }
        Map<String, Runnable> k = new LinkedHashMap<>();
        k.put("c_fc (768x3072) + GELU", () -> b.matmul(h, x, rows, wFc, bias4, Epilogue.GELU));
        k.put("c_proj (3072x768) + acc", () -> b.matmul(y, h, rows, wProj, bias, Epilogue.ACCUMULATE));
        k.put("logits of 1 row", () -> b.logits(logits, y, new int[] {rows - 1}, e));
        k.put("attention, 12 heads", () -> b.attention(att, qkv, 0, AttentionBatch.single(cache, rows, past)));
        return k;
    }

    private static WeightView weight(Arena arena, String name, int rows, int cols) {
        MemorySegment s = arena.allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i * 0.37) * 0.05f);
        }
        return new WeightView(name, DType.F32, rows, cols, s);
    }

    private static Tensor filled(Backend b, int rows, int cols) {
        Tensor t = b.allocate(rows, cols);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.cos(i * 0.11);
        }
        b.write(t, v);
        return t;
    }

}
