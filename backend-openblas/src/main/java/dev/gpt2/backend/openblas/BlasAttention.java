package dev.gpt2.backend.openblas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Causal attention of one head of one sequence as two matrix products per tile of rows: the scores
 * {@code S = scale * Q K^T} ({@code sgemm}), a masked softmax of each row in Java, then
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
     *                (call inside {@link OpenBlasLibrary#run})
     */
    static void head(Mat out, Mat q, Mat k, boolean keysTransposed, Mat v, int rows, int past, int headDim,
                     float scale, MemorySegment scratch) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int tile = Math.min(TILE, rows - r0);
            int keys = past + r0 + tile;   // the tile's last row sees every key up to its own position
            Mat s = Mat.of(scratch, keys);
            Blas.gemm(s, q.at(r0, 0), k, !keysTransposed, tile, keys, headDim, scale, 0);
            for (int i = 0; i < tile; i++) {
                softmaxPrefix(scratch, (long) i * keys, past + r0 + i + 1, keys);
            }
            Blas.gemm(out.at(r0, 0), s, v, false, tile, headDim, keys, 1, 0);
        }
    }

    /**
     * Softmax in place over {@code [at, at + valid)}, accumulating the sum in double, and zeros at
     * {@code [at + valid, at + width)} (the masked future positions).
     */
    static void softmaxPrefix(MemorySegment row, long at, int valid, int width) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < valid; j++) {
            max = Math.max(max, row.getAtIndex(ValueLayout.JAVA_FLOAT, at + j));
        }
        double sum = 0;
        for (int j = 0; j < valid; j++) {
            float e = (float) Math.exp(row.getAtIndex(ValueLayout.JAVA_FLOAT, at + j) - max);
            row.setAtIndex(ValueLayout.JAVA_FLOAT, at + j, e);
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int j = 0; j < valid; j++) {
            row.setAtIndex(ValueLayout.JAVA_FLOAT, at + j, row.getAtIndex(ValueLayout.JAVA_FLOAT, at + j) * inv);
        }
        row.asSlice((at + valid) * Float.BYTES, (long) (width - valid) * Float.BYTES).fill((byte) 0);
    }
}
