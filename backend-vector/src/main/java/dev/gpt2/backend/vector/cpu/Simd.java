package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;
import jdk.incubator.vector.VectorShape;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Which inner loops a CPU backend runs: the Vector API at one width, or plain Java.
 *
 * <p>The width comes from the system property {@value #BITS_PROPERTY}, read once when the vector kernels load (the
 * Vector API compiles well only when the width is a constant):
 * <ul>
 *   <li>unset: the widest vectors this CPU has ({@code FloatVector.SPECIES_PREFERRED}: 512 bits with AVX-512, 256 with
 *       AVX2, 128 with NEON);
 *   <li>{@code 64}, {@code 128}, {@code 256} or {@code 512}: that width, if the CPU has it;
 *   <li>{@code 0}: the Vector API turned off; plain Java loops (slower; for odd hardware and for comparison).
 * </ul>
 */
public final class Simd {
    /** The system property that sets the vector width in bits, or 0 to turn the Vector API off. */
    public static final String BITS_PROPERTY = "gpt2.vector.bits";

    private final Kernels kernels;

    private Simd(Kernels kernels) {
        this.kernels = kernels;
    }

    /**
     * The kernels {@value #BITS_PROPERTY} selects.
     *
     * @throws IllegalArgumentException when the property is not a width this CPU has, or was changed after the vector
     *                                  kernels loaded
     */
    public static Simd fromProperty() {
        int bits = requestedBits(System.getProperty(BITS_PROPERTY));
        if (bits == 0) {
            return scalar();
        }
        if (bits > 0 && bits != VectorKernels.BITS) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + bits + " was set after the vector kernels"
                    + " loaded at " + VectorKernels.BITS + " bits: set it when the JVM starts");
        }
        return new Simd(VectorKernels.INSTANCE);
    }

    /** Plain Java loops, whatever the property says. */
    public static Simd scalar() {
        return new Simd(ScalarKernels.INSTANCE);
    }

    /**
     * Parses a value of {@value #BITS_PROPERTY}: -1 for "the preferred width" (unset or blank), 0 for "off", else the
     * width.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    static int requestedBits(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        int max = VectorShape.preferredShape().vectorBitSize();
        String accepted = "use 0 (Vector API off) or a power of two from 64 to " + max;
        int bits;
        try {
            bits = Integer.parseInt(value.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + value + " is not a number: " + accepted, e);
        }
        if (bits != 0 && (bits < 64 || bits > max || Integer.bitCount(bits) != 1)) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + value
                    + " is not a vector width of this CPU: " + accepted);
        }
        return bits;
    }

    /** The vector width in bits; 0 when the Vector API is off. */
    public int bits() {
        return kernels.bits();
    }

    /** "Vector API, 512-bit (16 floats)" or "plain Java (Vector API off)". */
    public String describe() {
        int bits = bits();
        return bits == 0 ? "plain Java (Vector API off)" : "Vector API, " + bits + "-bit (" + bits / 32 + " floats)";
    }

    /**
     * GPT-2's GELU ("gelu_new") in place on the {@code n} F32 values of {@code data} from value {@code offset}, with
     * the arithmetic of the CPU backend's matmul epilogue: for an engine that computes {@code x . W + b} elsewhere.
     *
     * @param scratch at least n floats
     */
    public void gelu(MemorySegment data, long offset, int n, float[] scratch) {
        MemorySegment.copy(data, ScalarKernels.F32, offset * Float.BYTES, scratch, 0, n);
        kernels.epilogue(data, offset, scratch, 0, n, Epilogue.GELU);
    }

    /**
     * Softmax in place over the {@code valid} F32 values of {@code data} from value {@code offset}, and zeros over the
     * {@code width - valid} after them (masked positions), with the arithmetic of the CPU backend's attention
     * ({@link Kernels#softmax}): the same bits before and after the JIT compiles it.
     *
     * @param scratch at least {@link #softmaxScratch softmaxScratch(valid)} floats
     */
    public void softmaxPrefix(MemorySegment data, long offset, int valid, int width, float[] scratch) {
        MemorySegment.copy(data, ScalarKernels.F32, offset * Float.BYTES, scratch, 0, valid);
        kernels.softmax(scratch, 0, valid);
        MemorySegment.copy(scratch, 0, data, ScalarKernels.F32, offset * Float.BYTES, valid);
        data.asSlice((offset + valid) * Float.BYTES, (long) (width - valid) * Float.BYTES).fill((byte) 0);
    }

    /** Floats of scratch {@link #softmaxPrefix} needs for {@code valid} values. */
    public static int softmaxScratch(int valid) {
        return valid + Kernels.ATTEND_SCRATCH_EXTRA;
    }

    Kernels kernels() {
        return kernels;
    }

    @Override
    public String toString() {
        return describe();
    }
}
