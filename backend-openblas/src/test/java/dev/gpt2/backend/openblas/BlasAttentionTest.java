package dev.gpt2.backend.openblas;

import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.backend.reference.ReferenceBackend;
import dev.gpt2.backend.vector.cpu.Simd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasAttentionTest {
    private static final Simd SIMD = Simd.fromProperty();

    @BeforeAll
    static void loadOpenBlas() {
        assertTrue(OpenBlasLibrary.status().loaded(), OpenBlasLibrary.status().reason());
    }

    /**
     * Every head of a sequence of {@code past + rows} positions, the last {@code rows} of them attending, with q, k
     * and v read in place from qkv (keys as rows, or copied transposed per head as a cache may hold them), against the
     * reference backend fed the same positions in two passes; tiles split at {@value BlasAttention#TILE} rows.
     */
    @ParameterizedTest
    @CsvSource({"1, 0, 64, false", "1, 9, 64, true", "3, 0, 5, false", "64, 0, 64, true", "65, 7, 64, false",
            "130, 100, 7, true", "200, 1, 64, false"})
    void headsMatchTheReference(int rows, int past, int headDim, boolean keysTransposed) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + past * 7L + headDim);
        int heads = 3;
        int c = heads * headDim;
        int positions = past + rows;
        float[] qkvValues = new float[positions * 3 * c];
        for (int i = 0; i < qkvValues.length; i++) {
            qkvValues[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        float[] expected = reference(qkvValues, past, rows, heads, headDim);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment qkvSegment = arena.allocate((long) qkvValues.length * Float.BYTES, 64);
            MemorySegment.copy(qkvValues, 0, qkvSegment, ValueLayout.JAVA_FLOAT, 0, qkvValues.length);
            Mat qkv = Mat.of(qkvSegment, 3 * c);
            int capacity = positions + 3;   // per head [headDim][capacity], with spare capacity
            Mat keysT = Mat.of(arena.allocate((long) c * capacity * Float.BYTES, 64), capacity);
            for (int t = 0; t < positions; t++) {
                for (int j = 0; j < c; j++) {
                    keysT.data().setAtIndex(ValueLayout.JAVA_FLOAT, (long) j * capacity + t, qkv.get(t, c + j));
                }
            }
            Mat out = Mat.of(BlasTest.random(arena, (long) rows * c, rnd, true), c);
            MemorySegment scratch = BlasTest.random(arena, BlasAttention.scratchFloats(rows, past), rnd, true);
            for (int h = 0; h < heads; h++) {
                Mat k = keysTransposed ? keysT.at((long) h * headDim, 0) : qkv.at(0, c + h * headDim);
                BlasAttention.head(out.at(0, h * headDim), qkv.at(past, h * headDim), k, keysTransposed,
                        qkv.at(0, 2 * c + h * headDim), rows, past, headDim, (float) (1 / Math.sqrt(headDim)),
                        scratch, SIMD, new float[Simd.softmaxScratch(positions)]);
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < c; j++) {
                    int at = i * c + j;
                    assertEquals(expected[at], out.get(i, j), 2e-5 * (1 + Math.sqrt(headDim)),
                            () -> "openblas attention rows " + rows + " past " + past + " headDim " + headDim
                                    + " keys transposed " + keysTransposed + " at " + at / c + ", " + at % c);
                }
            }
        }
    }

    /**
     * The same head computed 3000 times gives the same bits every time, from the first (interpreted) call to the
     * last (compiled): its softmax once used the Vector API's {@code EXP} and {@code reduceLanes(ADD)}, whose last
     * bits change when C2 compiles them, so a process's first prefills differed from its later ones.
     */
    @Test
    void sameBitsBeforeAndAfterTheJitCompilesIt() {
        int rows = 20;
        int headDim = 16;
        SplittableRandom rnd = new SplittableRandom(77);
        try (Arena arena = Arena.ofConfined()) {
            Mat qkv = Mat.of(BlasTest.random(arena, (long) rows * 3 * headDim, rnd, false), 3 * headDim);
            Mat out = Mat.of(arena.allocate((long) rows * headDim * Float.BYTES, 64), headDim);
            MemorySegment scratch = arena.allocate(BlasAttention.scratchFloats(rows, 0) * Float.BYTES, 64);
            float[] row = new float[Simd.softmaxScratch(rows)];
            float[] first = null;
            for (int call = 0; call < 3000; call++) {
                BlasAttention.head(out, qkv, qkv.at(0, headDim), false, qkv.at(0, 2 * headDim), rows, 0, headDim,
                        1.5f, scratch, SIMD, row);
                float[] now = out.data().toArray(ValueLayout.JAVA_FLOAT);
                if (first == null) {
                    first = now;
                } else {
                    int at = call;
                    assertArrayEquals(first, now, () -> "openblas attention, call " + at + " differs from the first");
                }
            }
        }
    }

    /** The reference backend's attention output for the last {@code rows} of the positions in {@code qkv}. */
    private static float[] reference(float[] qkv, int past, int rows, int heads, int headDim) {
        int c = heads * headDim;
        try (Backend ref = new ReferenceBackend();
             KvCache cache = ref.allocateCache(1, heads, headDim, past + rows);
             Tensor in = ref.allocate(past + rows, 3 * c);
             Tensor out = ref.allocate(past + rows, c)) {
            if (past > 0) {
                ref.write(in, Arrays.copyOf(qkv, past * 3 * c));
                ref.attention(out, in, 0, AttentionBatch.single(cache, past, 0));
            }
            ref.write(in, Arrays.copyOfRange(qkv, past * 3 * c, qkv.length));
            ref.attention(out, in, 0, new AttentionBatch(List.of(new AttentionBatch.Slice(cache, 0, rows, past))));
            float[] result = new float[rows * c];
            ref.read(out, 0, rows, result);
            return result;
        }
    }
}
