package dev.gpt2.backend.vector.cpu;

import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Test;

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
}
