package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The exact conversions between weight dtypes, in one place, so that every backend rounds the same way and a test
 * can predict a backend's numbers.
 */
public final class WeightFormats {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private WeightFormats() {
    }

    /** bfloat16 bits to F32 (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** F32 to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** binary16 bits to F32 (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** F32 to binary16 bits, rounding to nearest even. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** Element {@code index} of an F32, F16 or BF16 array in {@code data}, as F32. */
    public static float get(MemorySegment data, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case F16 -> f16ToFloat(data.getAtIndex(I16, index));
            case BF16 -> bf16ToFloat(data.getAtIndex(I16, index));
            case Q8_0 -> throw new IllegalArgumentException("Q8_0 has no per-element layout in a checkpoint");
        };
    }

    /** The whole array in {@code view} as F32 values (for reference code and conversion). */
    public static float[] toFloats(WeightView view) {
        long n = (long) view.rows() * view.cols();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(view.name() + " has " + n + " values, too many for one Java array");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(view.data(), view.dtype(), i);
        }
        return out;
    }

    /** The value F32 {@code x} becomes when held as {@code dtype} (F32, F16 or BF16) and read back. */
    public static float roundTrip(float x, DType dtype) {
        return switch (dtype) {
            case F32 -> x;
            case F16 -> f16ToFloat(floatToF16(x));
            case BF16 -> bf16ToFloat(floatToBf16(x));
            case Q8_0 -> throw new IllegalArgumentException("Q8_0 rounds whole blocks: use quantizeQ8Block");
        };
    }

    /**
     * Quantizes one block of {@link DType#Q8_BLOCK} values (fewer at the end of a row) to Q8_0:
     * {@code scale = max|x| / 127}, {@code q = Math.round(x / scale)}, {@code x ~= scale * q}.
     *
     * @param x     the values, read from {@code x[offset + i * stride]} for i in [0, count)
     * @param q     receives the quantized values at {@code q[qOffset + i]}
     * @return the block's scale (0 for an all-zero block)
     */
    public static float quantizeQ8Block(float[] x, int offset, int stride, int count, byte[] q, int qOffset) {
        float amax = 0;
        for (int i = 0; i < count; i++) {
            amax = Math.max(amax, Math.abs(x[offset + i * stride]));
        }
        float scale = amax / 127f;
        float inv = scale == 0 ? 0 : 1f / scale;
        for (int i = 0; i < count; i++) {
            q[qOffset + i] = (byte) Math.round(x[offset + i * stride] * inv);
        }
        return scale;
    }
}
