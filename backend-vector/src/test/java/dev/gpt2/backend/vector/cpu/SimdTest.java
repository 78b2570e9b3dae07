package dev.gpt2.backend.vector.cpu;

import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimdTest {
    private static final int MAX = VectorShape.preferredShape().vectorBitSize();

    @Test
    void unsetMeansTheWidestAndZeroMeansOff() {
        assertEquals(-1, Simd.requestedBits(null));
        assertEquals(-1, Simd.requestedBits(" "));
        assertEquals(0, Simd.requestedBits("0"));
        assertEquals(0, Simd.scalar().bits());
        assertEquals("plain Java (Vector API off)", Simd.scalar().describe());
    }

    @Test
    void acceptsPowersOfTwoUpToTheWidest() {
        assertEquals(64, Simd.requestedBits("64"));
        assertEquals(MAX, Simd.requestedBits(" " + MAX + " "));
    }

    @Test
    void rejectsWhatTheCpuDoesNotHave() {
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class,
                () -> Simd.requestedBits(Integer.toString(MAX * 2)));
        assertTrue(tooWide.getMessage().contains("-Dgpt2.vector.bits=" + MAX * 2), tooWide.getMessage());
        assertTrue(tooWide.getMessage().contains("from 64 to " + MAX), tooWide.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Simd.requestedBits("96"));
        assertThrows(IllegalArgumentException.class, () -> Simd.requestedBits("32"));
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> Simd.requestedBits("wide"));
        assertTrue(notANumber.getMessage().contains("'wide'") || notANumber.getMessage().contains("=wide"),
                notANumber.getMessage());
    }

    @Test
    void theKernelsRunAtTheWidthThePropertySays() {
        int requested = Simd.requestedBits(System.getProperty(Simd.BITS_PROPERTY));
        Simd simd = Simd.fromProperty();
        assertEquals(requested < 0 ? MAX : requested, simd.bits(), simd.describe());
    }

    /**
     * {@link Simd#softmaxPrefix} (openblas's attention softmax) against the double-precision softmax, at this width
     * and with the Vector API off, over lengths around the vector sizes: valid values sum to 1, masked ones are 0.
     */
    @Test
    void softmaxPrefixMatchesTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (Simd simd : new Simd[] {Simd.fromProperty(), Simd.scalar()}) {
            for (int valid : new int[] {1, 2, 7, 15, 16, 17, 33, 64, 100, 257}) {
                int width = valid + 3;
                double[] x = new double[valid];
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment row = arena.allocate((long) (width + 2) * Float.BYTES);
                    for (int i = 0; i < width + 2; i++) {
                        float v = i < valid ? (float) (rnd.nextDouble() * 30 - 15) : 7f;
                        row.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
                        if (i < valid) {
                            x[i] = v;
                        }
                    }
                    simd.softmaxPrefix(row, 1, valid - 1, width, new float[Simd.softmaxScratch(valid)]);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 1; i < valid; i++) {
                        max = Math.max(max, x[i]);
                    }
                    double sum = 0;
                    for (int i = 1; i < valid; i++) {
                        sum += Math.exp(x[i] - max);
                    }
                    String where = simd.describe() + ", " + (valid - 1) + " valid of " + width;
                    assertEquals(x[0], row.getAtIndex(ValueLayout.JAVA_FLOAT, 0), 0, where + ": value before");
                    for (int i = 1; i < valid; i++) {
                        double expected = Math.exp(x[i] - max) / sum;
                        assertEquals(expected, row.getAtIndex(ValueLayout.JAVA_FLOAT, i), 1e-6 * (1 + expected),
                                where + " at " + i);
                    }
                    for (int i = valid; i < width + 1; i++) {
                        assertEquals(0f, row.getAtIndex(ValueLayout.JAVA_FLOAT, i), where + ": masked " + i);
                    }
                    assertEquals(7f, row.getAtIndex(ValueLayout.JAVA_FLOAT, width + 1), where + ": value after");
                }
            }
        }
    }
}
