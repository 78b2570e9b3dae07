package dev.gpt2.backend.openblas;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BlasAttentionTest {

    /**
     * One head among three inside rows as wide as qkv and the cache (the layouts the backend hands it), against
     * attention in double; tiles split at {@value BlasAttention#TILE} rows.
     */
    @ParameterizedTest
    @CsvSource({"1, 0, 64, false", "1, 9, 64, true", "3, 0, 5, false", "64, 0, 64, true", "65, 7, 64, false",
            "130, 100, 7, true", "200, 1, 64, false"})
    void headMatchesAttentionInDouble(int rows, int past, int headDim, boolean keysTransposed) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + past * 7L + headDim);
        int heads = 3;
        int h = 1;
        int c = heads * headDim;
        int positions = past + rows;
        try (Arena arena = Arena.ofConfined()) {
            Mat qkv = Mat.of(BlasTest.random(arena, (long) rows * 3 * c, rnd, false), 3 * c);
            Mat keys = Mat.of(BlasTest.random(arena, (long) positions * c, rnd, false), c);
            // the same keys transposed, head by head: [heads][headDim][capacity] with spare capacity
            int capacity = positions + 3;
            Mat keysT = Mat.of(arena.allocate((long) heads * headDim * capacity * Float.BYTES, 64), capacity);
            for (int t = 0; t < positions; t++) {
                for (int j = 0; j < c; j++) {
                    keysT.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT,
                            (long) (j / headDim) * headDim * capacity + (long) (j % headDim) * capacity + t,
                            keys.get(t, j));
                }
            }
            Mat values = Mat.of(BlasTest.random(arena, (long) positions * c, rnd, false), c);
            Mat out = Mat.of(BlasTest.random(arena, (long) rows * c, rnd, true), c);
            MemorySegment scratch = BlasTest.random(arena, BlasAttention.scratchFloats(rows, past), rnd, true);
            float scale = (float) (1 / Math.sqrt(headDim));
            Mat k = keysTransposed ? keysT.at((long) h * headDim, 0) : keys.at(0, h * headDim);
            BlasAttention.head(new Blas(2), out.at(0, h * headDim), qkv.at(0, h * headDim), k, keysTransposed,
                    values.at(0, h * headDim), rows, past, headDim, scale, scratch);
            for (int i = 0; i < rows; i++) {
                int last = past + i;
                double[] p = new double[last + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= last; t++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += (double) qkv.get(i, h * headDim + d) * keys.get(t, h * headDim + d);
                    }
                    p[t] = dot * scale;
                    max = Math.max(max, p[t]);
                }
                double sum = 0;
                for (int t = 0; t <= last; t++) {
                    p[t] = Math.exp(p[t] - max);
                    sum += p[t];
                }
                for (int d = 0; d < headDim; d++) {
                    double exact = 0;
                    for (int t = 0; t <= last; t++) {
                        exact += p[t] / sum * values.get(t, h * headDim + d);
                    }
                    int row = i;
                    int col = d;
                    assertEquals(exact, out.get(i, h * headDim + d), 2e-5 * (1 + Math.sqrt(headDim)),
                            () -> "openblas attention rows " + rows + " past " + past + " headDim " + headDim
                                    + " keys transposed " + keysTransposed + " at (" + row + ", " + col + ")");
                }
            }
        }
    }
}
