package dev.gpt2.api;

import java.util.Locale;

/**
 * How numbers are stored: in a checkpoint file, in a backend's memory, or both.
 *
 * <p>Activations are always computed in {@link #F32}; the other types are storage formats for weights that a backend
 * converts inside its kernels.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32("f32", 32),
    /** IEEE 754 binary16. */
    F16("f16", 16),
    /** bfloat16: the upper half of an F32. */
    BF16("bf16", 16),
    /**
     * 8-bit integers in blocks of {@value #Q8_BLOCK} consecutive weights along the input dimension, one scale per
     * block ({@code w = scale * q}, {@code q} in [-127, 127]), as in ggml's Q8_0. Never found in a checkpoint;
     * produced at load time.
     */
    Q8_0("q8", 8);

    /** Number of weights sharing one scale in {@link #Q8_0}. */
    public static final int Q8_BLOCK = 32;

    private final String label;
    private final int bits;

    DType(String label, int bits) {
        this.label = label;
        this.bits = bits;
    }

    /** The short lower-case name used on the command line: {@code f32}, {@code f16}, {@code bf16}, {@code q8}. */
    public String label() {
        return label;
    }

    /** Bits per weight, not counting per-block scales. */
    public int bits() {
        return bits;
    }

    /**
     * Parses a command-line label ({@code f32}, {@code f16}, {@code bf16}, {@code q8}; case-insensitive; also the enum
     * names and {@code q8_0}).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static DType parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (DType d : values()) {
            if (d.label.equals(t) || d.name().toLowerCase(Locale.ROOT).equals(t)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + text + "': use one of f32, f16, bf16, q8");
    }

    @Override
    public String toString() {
        return label;
    }
}
