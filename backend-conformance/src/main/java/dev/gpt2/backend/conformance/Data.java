package dev.gpt2.backend.conformance;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Test data: seeded random values, and weights encoded the way a checkpoint stores them. */
final class Data {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Data() {
    }

    /** {@code n} values uniform in [lo, hi). */
    static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextDouble(lo, hi);
        }
        return v;
    }

    /**
     * A weight view of {@code values} stored as {@code dtype} (F32, F16 or BF16), in off-heap memory that lives as long
     * as the view is reachable. With {@code misaligned}, the bytes start 2 bytes past an aligned address.
     */
    static WeightView view(String name, float[] values, int rows, int cols, DType dtype, boolean misaligned) {
        int size = dtype == DType.F32 ? Float.BYTES : Short.BYTES;
        long bytes = (long) values.length * size;
        int shift = misaligned ? 2 : 0;
        MemorySegment data = Arena.ofAuto().allocate(bytes + shift, 64).asSlice(shift, bytes);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> data.setAtIndex(F32, i, values[i]);
                case F16 -> data.setAtIndex(I16, i, WeightFormats.floatToF16(values[i]));
                case BF16 -> data.setAtIndex(I16, i, WeightFormats.floatToBf16(values[i]));
                case Q8_0 -> throw new IllegalArgumentException("a checkpoint never stores Q8_0");
            }
        }
        return new WeightView(name, dtype, rows, cols, data);
    }
}
