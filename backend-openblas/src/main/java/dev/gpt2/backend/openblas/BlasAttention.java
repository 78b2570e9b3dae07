package dev.gpt2.backend.openblas;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Causal attention of one head of one sequence as two matrix products per tile of rows: the scores
 * {@code S = scale * Q K^T} ({@code sgemm}), a masked softmax of each row on the Vector API, then
 * {@code O = S V} ({@code sgemm}). Tiles of {@value #TILE} rows only compute the keys up to their last row, which
 * skips most of the masked upper triangle of a long prompt.
 */
final class BlasAttention {
    /** Rows per tile. */
    static final int TILE = 64;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

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
     * Softmax in place over {@code [at, at + valid)}, on the Vector API, and zeros at {@code [at + valid, at + width)}
     * (the masked future positions).
     */
    static void softmaxPrefix(MemorySegment row, long at, int valid, int width) {
        int up = S.loopBound(valid);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < up; j += S.length()) {
            vmax = vmax.max(load(row, at + j));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < valid; j++) {
            max = Math.max(max, row.getAtIndex(F32, at + j));
        }
        FloatVector vsum = FloatVector.zero(S);
        for (j = 0; j < up; j += S.length()) {
            FloatVector e = load(row, at + j).sub(max).lanewise(VectorOperators.EXP);
            e.intoMemorySegment(row, (at + j) * Float.BYTES, ORDER);
            vsum = vsum.add(e);
        }
        double sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; j < valid; j++) {
            float e = (float) Math.exp(row.getAtIndex(F32, at + j) - max);
            row.setAtIndex(F32, at + j, e);
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (j = 0; j < up; j += S.length()) {
            load(row, at + j).mul(inv).intoMemorySegment(row, (at + j) * Float.BYTES, ORDER);
        }
        for (; j < valid; j++) {
            row.setAtIndex(F32, at + j, row.getAtIndex(F32, at + j) * inv);
        }
        row.asSlice((at + valid) * Float.BYTES, (long) (width - valid) * Float.BYTES).fill((byte) 0);
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER);
    }
}
