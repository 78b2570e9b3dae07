package dev.gpt2.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The parameters of one kernel launch, in declaration order. Each one is kept in an 8-byte slot: a pointer or a
 * {@code long long} fills it, an {@code int} or a {@code float} sits in its low 4 bytes, which is where the driver
 * reads a 4-byte parameter from on a little-endian machine. {@link #marshal} makes the {@code void**} array that
 * {@code cuLaunchKernel} takes.
 */
final class KernelArgs {
    private long[] slots = new long[8];
    private int count;

    /** A device pointer (or a null pointer: 0). */
    KernelArgs ptr(long devicePointer) {
        return add(devicePointer);
    }

    /** An {@code int}. */
    KernelArgs i32(int value) {
        return add(value & 0xffffffffL);
    }

    /** A {@code long long}. */
    KernelArgs i64(long value) {
        return add(value);
    }

    /** A {@code float}. */
    KernelArgs f32(float value) {
        return add(Float.floatToRawIntBits(value) & 0xffffffffL);
    }

    private KernelArgs add(long slot) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, count * 2);
        }
        slots[count++] = slot;
        return this;
    }

    /** The slots, one per parameter. */
    long[] slots() {
        return Arrays.copyOf(slots, count);
    }

    /**
     * The {@code void**} for {@code cuLaunchKernel}: an array of pointers, the i-th pointing at slot i's 8 bytes.
     * Both arrays come from {@code allocator} and must outlive the launch call.
     */
    static MemorySegment marshal(long[] slots, SegmentAllocator allocator) {
        MemorySegment values = allocator.allocate(ValueLayout.JAVA_LONG, Math.max(1, slots.length));
        MemorySegment pointers = allocator.allocate(ValueLayout.ADDRESS, Math.max(1, slots.length));
        for (int i = 0; i < slots.length; i++) {
            values.setAtIndex(ValueLayout.JAVA_LONG, i, slots[i]);
            pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(i * 8L, 8));
        }
        return pointers;
    }
}
