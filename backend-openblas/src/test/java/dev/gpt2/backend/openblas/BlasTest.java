package dev.gpt2.backend.openblas;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasTest {

    @BeforeAll
    static void libraryLoads() {
        OpenBlasLibrary.Status s = OpenBlasLibrary.status();
        assertTrue(s.loaded(), s.reason());
        assertTrue(s.version().startsWith("0.3."), s.version());
        assertTrue(!s.kernels().isEmpty(), "OpenBLAS did not say which kernels it picked");
    }

    @Test
    void aCoreTypeHoldingAnAvx512CpuToNarrowerKernelsIsReportedWithWhatToDo() {
        String hint = OpenBlasLibrary.coreTypeHint("Haswell", "Haswell", "amd64", 512);
        assertTrue(hint.contains("OPENBLAS_CORETYPE=Haswell") && hint.contains("unset it"), hint);
        assertEquals("", OpenBlasLibrary.coreTypeHint(null, "Haswell", "amd64", 512), "OpenBLAS chose by itself");
        assertEquals("", OpenBlasLibrary.coreTypeHint("Cooperlake", "Cooperlake", "amd64", 512), "AVX-512 kernels");
        assertEquals("", OpenBlasLibrary.coreTypeHint("Haswell", "Haswell", "amd64", 256), "an AVX2 CPU");
        assertEquals("", OpenBlasLibrary.coreTypeHint("A64FX", "A64FX", "aarch64", 512), "not x86-64");
        assertEquals("", OpenBlasLibrary.coreTypeHint("Haswell", "", "amd64", 512), "kernels unknown");
    }

    /** Held to narrower kernels, openblas ranks below vector (100), whose Java GEMM then wins prefill; else above. */
    @Test
    void priorityFallsBelowVectorWhenTheEnvironmentNarrowsTheKernels() {
        assertEquals(200, OpenBlasProvider.priority(false));
        assertEquals(90, OpenBlasProvider.priority(true));
        boolean narrowed = !OpenBlasLibrary.coreTypeHint(System.getenv("OPENBLAS_CORETYPE"),
                OpenBlasLibrary.status().kernels(), System.getProperty("os.arch"),
                jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize()).isEmpty();
        assertEquals(narrowed ? 90 : 200, new OpenBlasProvider().priority(),
                "here, OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));
    }

    /** Random values in [-1, 1) at every float of a new segment; NaN where {@code nan}. */
    static MemorySegment random(Arena arena, long floats, SplittableRandom rnd, boolean nan) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, nan ? Float.NaN : (float) (rnd.nextDouble() * 2 - 1));
        }
        return s;
    }

    /**
     * Odd shapes, single rows and columns, transposed and not, overwrite and accumulate, and views that start
     * inside their memory with rows longer than the matrix (as attention's heads within qkv).
     */
    @ParameterizedTest
    @CsvSource({
            "1, 1, 1", "1, 17, 33", "1, 2304, 768", "2, 5, 3", "7, 1, 129", "33, 100, 64", "64, 65, 31",
            "130, 257, 96"})
    void gemmMatchesDoublePrecisionProduct(int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        for (boolean transposeB : new boolean[] {false, true}) {
            for (float beta : new float[] {0, 1}) {
                try (Arena arena = Arena.ofConfined()) {
                    int pad = 3;   // every view starts 3 rows + 3 floats in and has 3 extra floats per row
                    int lda = k + pad;
                    int ldb = (transposeB ? k : n) + pad;
                    int ldc = n + pad;
                    Mat a = Mat.of(random(arena, (long) (m + pad) * lda, rnd, false), lda).at(pad, pad);
                    int bRows = transposeB ? n : k;
                    Mat b = Mat.of(random(arena, (long) (bRows + pad) * ldb, rnd, false), ldb).at(pad, pad);
                    Mat c = Mat.of(random(arena, (long) (m + pad + 1) * ldc, rnd, beta == 0), ldc).at(pad, pad);
                    float[] before = new float[m * n];
                    int[] padding = new int[m * pad];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            before[i * n + j] = c.get(i, j);
                        }
                        for (int j = 0; j < pad; j++) {
                            padding[i * pad + j] = Float.floatToRawIntBits(c.get(i, n + j));
                        }
                    }
                    Blas.gemm(c, a, b, transposeB, m, n, k, 0.5f, beta);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double exact = 0;
                            double scale = 0;
                            for (int p = 0; p < k; p++) {
                                double t = (double) a.get(i, p) * (transposeB ? b.get(j, p) : b.get(p, j));
                                exact += t;
                                scale += Math.abs(t);
                            }
                            exact = 0.5 * exact + (beta == 0 ? 0 : before[i * n + j]);
                            double tol = 1e-6 * (k + 2) * (scale + 1);
                            float got = c.get(i, j);
                            int row = i;
                            int col = j;
                            assertEquals(exact, got, tol, () -> "openblas gemm " + m + "x" + k + "x" + n + " transB="
                                    + transposeB + " beta=" + beta + " at (" + row + ", " + col + ")");
                        }
                    }
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < pad; j++) {
                            assertEquals(padding[i * pad + j], Float.floatToRawIntBits(c.get(i, n + j)),
                                    "gemm wrote outside its output, row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void unavailableReasonNamesTheNativesJarsOfThePlatform() {
        String hint = OpenBlasLibrary.hint("linux-arm64");
        assertTrue(hint.contains("org.bytedeco:openblas:0.3.31-1.5.13:linux-arm64"), hint);
        assertTrue(hint.contains("org.bytedeco:javacpp:1.5.13:linux-arm64"), hint);
        assertTrue(hint.contains("--add-modules ALL-MODULE-PATH"), hint);
    }

    @Test
    void refusesViewsThatRunPastTheirMemory() {
        try (Arena arena = Arena.ofConfined()) {
            Mat small = Mat.of(arena.allocate(4L * 10 * 10, 64), 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Blas.gemm(small, small.at(1, 0), small, false, 10, 10, 10, 1, 0));
            assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Mat.of(MemorySegment.ofArray(new float[4]), 2));
        }
    }
}
