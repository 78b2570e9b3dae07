package dev.gpt2.backend.openblas;

import dev.gpt2.backend.vector.cpu.Simd;

import java.lang.foreign.MemorySegment;

/**
 * Causal attention of one head of one sequence as two matrix products per tile of rows: the scores
 * {@code S = scale * Q K^T} ({@code sgemm}), a masked softmax of each row ({@link Simd#softmaxPrefix}: the CPU
 * backend's arithmetic, so the bits do not change when the JIT compiles it), then
 * {@code O = S V} ({@code sgemm}). Tiles of {@value #TILE} rows only compute the keys up to their last row, which
 * skips most of the masked upper triangle of a long prompt.
 */
final class BlasAttention {
    /** Rows per tile. */
    static final int TILE = 64;

    private BlasAttention() {
    }

    /** Floats of scratch {@link #head} needs for {@code rows} new positions after {@code past} cached ones. */
    static long scratchFloats(int rows, int past) {
        return (long) Math.min(rows, TILE) * (past + rows);
    }

    /**
     * {@code out[i] = softmax(scale * q[i] . k[0 .. past + i]^T) . v[0 .. past + i]} for i in [0, rows).
     *
     * @param out     [rows, headDim]
     * @param q       [rows, headDim]
     * @param k       [past + rows, headDim]: the cached keys, this pass's included; or [headDim, past + rows] when
     *                {@code keysTransposed}
     * @param v       [past + rows, headDim]: the cached values, likewise
     * @param scratch at least {@link #scratchFloats} floats of native memory
     * @param simd    the kernels of the softmax
     * @param row     at least {@link Simd#softmaxScratch softmaxScratch(past + rows)} floats
     */
    static void head(Mat out, Mat q, Mat k, boolean keysTransposed, Mat v, int rows, int past, int headDim,
                     float scale, MemorySegment scratch, Simd simd, float[] row) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int tile = Math.min(TILE, rows - r0);
            int keys = past + r0 + tile;   // the tile's last row sees every key up to its own position
            Mat s = Mat.of(scratch, keys);
            Blas.gemm(s, q.at(r0, 0), k, !keysTransposed, tile, keys, headDim, scale, 0);
            for (int i = 0; i < tile; i++) {
                simd.softmaxPrefix(scratch, (long) i * keys, past + r0 + i + 1, keys, row);
            }
            Blas.gemm(out.at(r0, 0), s, v, false, tile, headDim, keys, 1, 0);
        }
    }
}
