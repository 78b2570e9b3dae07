package dev.gpt2.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MatmulPrecisionTest {
    @Test
    void exactByDefaultFastOnRequestAnythingElseRefused() {
        assertEquals(MatmulPrecision.EXACT, MatmulPrecision.parse(null));
        assertEquals(MatmulPrecision.EXACT, MatmulPrecision.parse(" "));
        assertEquals(MatmulPrecision.FAST, MatmulPrecision.parse("Fast"));
        assertEquals(3, MatmulPrecision.EXACT.parts());
        assertEquals(1, MatmulPrecision.FAST.parts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatmulPrecision.parse("tf32"));
        assertEquals("-Dgpt2.cuda.matmul=tf32 is not a matmul precision: use exact or fast", e.getMessage());
    }
}
