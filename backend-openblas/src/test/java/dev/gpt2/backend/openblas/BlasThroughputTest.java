package dev.gpt2.backend.openblas;

import dev.gpt2.backend.vector.cpu.Simd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prints single-threaded OpenBLAS's GFLOP/s at GPT-2 124M's prefill shapes (512 rows) and decode shapes (1 row,
 * weights cold), for choosing kernels; the backend runs one such call per column block on each of its threads. Not a
 * benchmark and asserts nothing: run it by hand on a quiet machine with {@code mvn -pl backend-openblas -am verify
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=BlasThroughputTest -Dgpt2.throughput=true}.
 */
@EnabledIfSystemProperty(named = "gpt2.throughput", matches = "true")
class BlasThroughputTest {

    @BeforeAll
    static void loadOpenBlas() {
        assertTrue(OpenBlasLibrary.status().loaded(), OpenBlasLibrary.status().reason());
    }
    @Test
    void prefillShapes() {
        int[][] shapes = {{512, 768, 2304}, {512, 768, 3072}, {512, 3072, 768}, {512, 768, 768}};
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : shapes) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                Mat a = Mat.of(filled(arena, (long) m * k), k);
                Mat b = Mat.of(filled(arena, (long) k * n), n);
                Mat c = Mat.of(arena.allocate((long) m * n * Float.BYTES, 64), n);
                double best = best(5, () -> Blas.gemm(c, a, b, false, m, n, k, 1, 0));
                report("sgemm", m, k, n, best);
            }
            int m = 512;
            int k = 768;
            int n = 50257;
            Mat h = Mat.of(filled(arena, (long) m * k), k);
            Mat wte = Mat.of(filled(arena, (long) n * k), k);
            Mat logits = Mat.of(arena.allocate((long) m * n * Float.BYTES, 64), n);
            report("sgemm (B transposed, LM head)", m, k, n,
                    best(2, () -> Blas.gemm(logits, h, wte, true, m, n, k, 1, 0)));
            report("sgemv (B transposed, LM head)", 1, k, n,
                    best(5, () -> Blas.gemm(logits, h, wte, true, 1, n, k, 1, 0)));
        }
    }

    /** One to 64 rows against 12 weights of 768 x 3072 in turn (84 MB: cold in cache, as in decode). */
    @Test
    void fewRowsAgainstColdWeights() {
        int layers = 12;
        int k = 768;
        int n = 3072;
        try (Arena arena = Arena.ofConfined()) {
            Mat[] w = new Mat[layers];
            for (int l = 0; l < layers; l++) {
                w[l] = Mat.of(filled(arena, (long) k * n), n);
            }
            Mat x = Mat.of(filled(arena, 64L * k), k);
            Mat y = Mat.of(arena.allocate(64L * n * Float.BYTES, 64), n);
            for (int m : new int[] {1, 2, 4, 8, 16, 32, 64}) {
                double gemm = best(5, () -> {
                    for (Mat wl : w) {
                        Blas.gemm(y, x, wl, false, m, n, k, 1, 0);
                    }
                }) / layers;
                double rows = best(5, () -> {
                    for (Mat wl : w) {
                        for (int r = 0; r < m; r++) {
                            Blas.gemm(y.at(r, 0), x.at(r, 0), wl, false, 1, n, k, 1, 0);
                        }
                    }
                }) / layers;
                report("sgemm", m, k, n, gemm);
                report("sgemv per row", m, k, n, rows);
            }
        }
    }

    /** One layer of GPT-2 124M's causal attention over a 512-token prompt: 12 heads of 64, head after head. */
    @Test
    void attentionOverLongPrompt() {
        int rows = 512;
        int heads = 12;
        int hd = 64;
        int c = heads * hd;
        try (Arena arena = Arena.ofConfined()) {
            Mat qkv = Mat.of(filled(arena, (long) rows * 3 * c), 3 * c);
            Mat out = Mat.of(arena.allocate((long) rows * c * Float.BYTES, 64), c);
            MemorySegment scratch = arena.allocate(BlasAttention.scratchFloats(rows, 0) * Float.BYTES, 64);
            Simd simd = Simd.fromProperty();
            float[] row = new float[Simd.softmaxScratch(rows)];
            double best = best(5, () -> {
                for (int h = 0; h < heads; h++) {
                    BlasAttention.head(out.at(0, h * hd), qkv.at(0, h * hd), qkv.at(0, c + h * hd), false,
                            qkv.at(0, 2 * c + h * hd), rows, 0, hd, 0.125f, scratch, simd, row);
                }
            });
            // the useful work: the causal half of QK^T and of PV
            double flops = 2.0 * 2 * heads * hd * rows * (rows + 1) / 2.0;
            System.out.printf("%-32s %4d rows, %d heads  %8.3f ms  %6.1f GFLOP/s%n", "attention (causal, tiled)",
                    rows, heads, best * 1e3, flops / best / 1e9);
        }
    }

    private static MemorySegment filled(Arena arena, long floats) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i * 0.37));
        }
        return s;
    }

    private static double best(int reps, Runnable r) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }

    private static void report(String what, int m, int k, int n, double seconds) {
        System.out.printf("%-32s %4d x %4d x %5d  %8.3f ms  %6.1f GFLOP/s%n", what, m, k, n, seconds * 1e3,
                2.0 * m * k * n / seconds / 1e9);
    }
}
