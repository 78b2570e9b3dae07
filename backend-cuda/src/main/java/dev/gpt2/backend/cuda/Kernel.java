package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;

import java.util.Locale;

/** The kernels of {@link KernelSource}, by their {@code extern "C"} names (the constant's name in lower case). */
enum Kernel {
    CONVERT, CONVERT_TRANSPOSE, SPLIT_16, EMBED, LAYER_NORM, BIAS_EPILOGUE, GATHER_ROWS, CACHE_COPY,
    GEMV_F32_R1, GEMV_F32_R2, GEMV_F32_R4, GEMV_F32_R8,
    GEMV_F16_R1, GEMV_F16_R2, GEMV_F16_R4, GEMV_F16_R8,
    GEMV_BF16_R1, GEMV_BF16_R2, GEMV_BF16_R4, GEMV_BF16_R8,
    GEMV_LN_F32_R1, GEMV_LN_F32_R2, GEMV_LN_F32_R4, GEMV_LN_F32_R8,
    GEMV_LN_F16_R1, GEMV_LN_F16_R2, GEMV_LN_F16_R4, GEMV_LN_F16_R8,
    GEMV_LN_BF16_R1, GEMV_LN_BF16_R2, GEMV_LN_BF16_R4, GEMV_LN_BF16_R8,
    KV_STORE, ATTN_DECODE, ATTN_PREFILL,
    CHOOSE_TOKENS, TOKEN_LOG_PROBS,
    READ_BANDWIDTH, FMA_PEAK;

    /** The most rows the GEMV kernels take; more rows go to cuBLAS. */
    static final int GEMV_MAX_ROWS = 8;

    /** The function's name in the module. */
    String symbol() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The GEMV kernel for weights of {@code dtype} and up to {@code rows} (1 to {@value #GEMV_MAX_ROWS}) rows. */
    static Kernel gemv(DType dtype, int rows) {
        return valueOf("GEMV_" + dtype.name() + "_R" + rowBucket(rows));
    }

    /** The GEMV kernel that first applies the layer norm that made its input; see {@link #gemv}. */
    static Kernel gemvLayerNorm(DType dtype, int rows) {
        return valueOf("GEMV_LN_" + dtype.name() + "_R" + rowBucket(rows));
    }

    private static int rowBucket(int rows) {
        if (rows < 1 || rows > GEMV_MAX_ROWS) {
            throw new IllegalArgumentException("the GEMV kernels take 1 to " + GEMV_MAX_ROWS + " rows, not " + rows);
        }
        return rows == 1 ? 1 : rows == 2 ? 2 : rows <= 4 ? 4 : 8;
    }
}
