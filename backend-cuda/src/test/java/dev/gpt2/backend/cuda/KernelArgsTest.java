package dev.gpt2.backend.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@SuppressWarnings("restricted")
class KernelArgsTest {

    @Test
    void eachParameterIsReadFromItsPointerWithItsOwnSize() {
        KernelArgs args = new KernelArgs().ptr(0x7f00_1234_5678L).i32(-3).f32(1.5f).i64(1L << 40);
        for (int i = 0; i < 9; i++) {
            args.i32(i);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = KernelArgs.marshal(args.slots(), arena).reinterpret(13 * 8);
            MemorySegment[] p = new MemorySegment[13];
            for (int i = 0; i < 13; i++) {
                p[i] = params.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
            }
            assertEquals(0x7f00_1234_5678L, p[0].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-3, p[1].get(ValueLayout.JAVA_INT, 0));
            assertEquals(1.5f, p[2].get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(1L << 40, p[3].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(8, p[12].get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void recordedLaunchesAreEqualByValueSoThatRepeatedStepsMatch() {
        Op a = new Op.Launch(Kernel.LAYER_NORM, 1, 1, 1, 256, 0, new KernelArgs().ptr(16).f32(1e-5f).slots());
        Op b = new Op.Launch(Kernel.LAYER_NORM, 1, 1, 1, 256, 0, new KernelArgs().ptr(16).f32(1e-5f).slots());
        Op c = new Op.Launch(Kernel.LAYER_NORM, 1, 1, 1, 256, 0, new KernelArgs().ptr(32).f32(1e-5f).slots());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertEquals(List.of(a, b), List.of(b, a));
    }

    @Test
    void gemvKernelsAreChosenByWeightTypeAndRowCount() {
        assertEquals(Kernel.GEMV_BF16_R1, Kernel.gemv(dev.gpt2.api.DType.BF16, 1));
        assertEquals(Kernel.GEMV_F32_R4, Kernel.gemv(dev.gpt2.api.DType.F32, 3));
        assertEquals(Kernel.GEMV_F16_R8, Kernel.gemv(dev.gpt2.api.DType.F16, 5));
        assertEquals("gemv_f16_r8", Kernel.GEMV_F16_R8.symbol());
        assertThrows(IllegalArgumentException.class, () -> Kernel.gemv(dev.gpt2.api.DType.F32, 9));
    }
}
