package dev.gpt2.backend.cuda;

import java.util.Locale;

/**
 * How cuBLAS computes matmuls of more than {@value Kernel#GEMV_MAX_ROWS} rows (fewer rows always run this backend's
 * GEMV kernels in FP32). Set with the system property {@value #PROPERTY}.
 */
enum MatmulPrecision {
    /**
     * As accurate as FP32 (the default; what the conformance suite checks): F32 weights in FP32, and F16 / BF16
     * weights on tensor cores against the activations split in three 16-bit parts (three products, FP32-accurate).
     */
    EXACT,
    /**
     * Faster, less accurate (as PyTorch's TF32 / bf16 modes): TF32 tensor cores for F32 weights, and activations
     * rounded to the weights' 16-bit type for F16 / BF16 weights (one tensor-core product).
     */
    FAST;

    /** System property naming the precision: {@code exact} or {@code fast}. */
    static final String PROPERTY = "gpt2.cuda.matmul";

    /**
     * The precision a property value names; {@link #EXACT} when it is null or blank.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    static MatmulPrecision parse(String value) {
        if (value == null || value.isBlank()) {
            return EXACT;
        }
        for (MatmulPrecision p : values()) {
            if (p.name().equalsIgnoreCase(value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a matmul precision: use exact or"
                + " fast");
    }

    /** The 16-bit parts activations are split into for 16-bit weights. */
    int parts() {
        return this == EXACT ? 3 : 1;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
