package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;

import java.lang.foreign.MemorySegment;

/**
 * The inner loops of the CPU backend, written twice: with the Vector API ({@link VectorKernels}) and in plain Java
 * ({@link ScalarKernels}, also the oracle the vector loops are tested against). Everything around them (threads,
 * tiling, packing, shapes) is shared.
 *
 * <p>Offsets count values, not bytes; activation segments hold little-endian F32, weights are {@link CpuTensor}s in any
 * dtype (converted to F32 value by value just before use, exactly as {@link ScalarKernels#weight} says). Each method
 * is one thread's work.
 *
 * <p><b>The arithmetic every implementation must reproduce bit for bit</b>, so that a row's result never depends on
 * the other rows of a call, on the thread count, on the tiling, or on whether an element falls in a vector's tail:
 * <ul>
 *   <li>matmul element: {@code acc = bias[j]}; then for each block of {@link #K_BLOCK} consecutive k (the last one
 *       shorter): {@code p = 0; for k in the block, in order: p = fma(x[k], W(k, j), p); acc = acc + p}, W(k, j) the
 *       weight's value as F32 whatever its dtype; then the epilogue ({@code acc}, {@link #gelu gelu(acc)} or
 *       {@code out + acc}). The blocks let threads stream whole rows of W in decode and keep a tile's W panel in L1
 *       in prefill, while the order stays fixed;
 *   <li>{@link #exp} and {@link #gelu}: the exact sequence of IEEE operations written in {@link ScalarKernels};
 *   <li>attention score of key p: {@code s = 0; for d: s = fma(q[d], k_p[d], s); s = s * scale}.
 * </ul>
 * Sums over a row (layer norm, softmax denominators, logits dot products) may use lanes, so they depend on the vector
 * width, but never on anything outside the row.
 */
interface Kernels {

    /** Length of the blocks of K a matmul sums separately (see the class documentation); a constant. */
    int K_BLOCK = 64;

    /** Vector width in bits; 0 for plain Java. */
    int bits();

    /** Rows of a {@link #gemmTile} tile (MR). */
    int tileRows();

    /** Columns of a {@link #gemmTile} tile (NR). */
    int tileCols();

    /**
     * Layer norm of one row of c values: {@code out = (x - mean) * rstd * g + b}, with the biased variance.
     *
     * @param out at {@code o}; may be the same memory as {@code in}
     */
    void layerNorm(MemorySegment out, long o, MemorySegment in, long io, MemorySegment g, MemorySegment b, int c,
                   float eps);

    /**
     * The streaming form of the matmul for few rows, over one block of K: for each row r < m and column j < n,
     * {@code acc[ao + r*lda + j] = fma(x[xo + r*ldx + kk], W(k0 + kk, j0 + j), acc[ao + r*lda + j])} for
     * kk = 0 .. k-1 in order (acc holds 0 when a block starts), where W(i, j) is element (i, j) of {@code w} [K, N]
     * converted to F32 just before its fma ({@link ScalarKernels#weight}).
     *
     * @param k0 a multiple of {@link #K_BLOCK}
     */
    void streamRows(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx, int k,
                    CpuTensor w, int k0, int j0);

    /**
     * One register tile of the packed GEMM: {@code c[i*NR + j] = bias[j]} then, for each block of
     * {@link #K_BLOCK} kk: {@code p = 0; p = fma(a[ao + kk*MR + i], b[kk*NR + j], p)} for kk in the block in order;
     * {@code c[i*NR + j] = c[i*NR + j] + p}; for i < MR, j < NR.
     */
    void gemmTile(float[] c, float[] a, int ao, float[] b, float[] bias, int k);

    /**
     * Packs a strip of W [K, N] for {@link #gemmTile}, converted to F32: {@code strip[kk*NR + j] = W(kk, j0 + j)} for
     * kk < k and j < width, and 0 for width <= j < NR.
     */
    void packStrip(float[] strip, CpuTensor w, int j0, int k, int width);

    /** Values (r, c0) .. (r, c0 + n - 1) of {@code w} in any dtype as F32: {@code dst[off + j] = W(r, c0 + j)}. */
    void toFloats(float[] dst, int off, CpuTensor w, int r, int c0, int n);

    /** {@code out[o + j] = epilogue(acc[ao + j])} for j < n; may use {@code acc[ao, ao + n)} as scratch. */
    void epilogue(MemorySegment out, long o, float[] acc, int ao, int n, Epilogue epilogue);

    /** Floats {@link #attend}'s scratch needs beyond t: one vector of the widest species (2048 bits). */
    int ATTEND_SCRATCH_EXTRA = 64;

    /** Floats of scratch {@link #dots} needs ({@link #dotsOneRow}: C more): 16 vectors of the widest species. */
    int DOT_SCRATCH = 16 * 64;

    /**
     * Dot products against F32 embedding rows: {@code out[outOff[r] + v] = h[hOff[r] .. +c) . wte[v * c .. +c)} for
     * r < rows and v in {@code [v0, v0 + nv)}. Each product is the same arithmetic whatever the other rows, and the
     * same as {@link #dotsOneRow} computes from the same values in any dtype.
     *
     * @param scratch at least {@link #DOT_SCRATCH} floats
     */
    void dots(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int rows, MemorySegment wte, long v0,
              int nv, int c, float[] scratch);

    /**
     * {@link #dots} of one row against an embedding in any dtype, its values converted just before their fma:
     * {@code out[o + v] = h[ho .. +C) . wte(v)} for v in {@code [v0, v0 + nv)}.
     *
     * @param scratch at least C + {@link #DOT_SCRATCH} floats
     */
    void dotsOneRow(MemorySegment out, long o, MemorySegment h, long ho, CpuTensor wte, int v0, int nv,
                    float[] scratch);

    /**
     * Softmax in place over {@code a[from, from + n)}: each value becomes {@code exp(x - max) / total} ({@link #exp}),
     * max and total over those n values, the total summed as {@link #attend} sums its denominators; the same bits
     * whether the JIT has compiled the loop or not (unlike the Vector API's own {@code EXP} and
     * {@code reduceLanes(ADD)}).
     *
     * @param a scratch up to {@code from + n + }{@link #ATTEND_SCRATCH_EXTRA}
     */
    void softmax(float[] a, int from, int n);

    /**
     * Attention of one query row and one head over t cached positions.
     *
     * @param out    the head's hd outputs at {@code o}
     * @param q      the hd query values
     * @param keys   transposed keys: key p's component d at {@code ko + d * keyStride + p}
     * @param values values: position p's component d at {@code vo + p * hd + d}
     * @param scores scratch of at least t + {@link #ATTEND_SCRATCH_EXTRA} floats
     */
    void attend(MemorySegment out, long o, float[] q, MemorySegment keys, long ko, MemorySegment values, long vo,
                int keyStride, int hd, int t, float scale, float[] scores);

    /**
     * {@link #attend} for n consecutive query rows of one head: row i (i < n) has its hd query values at
     * {@code q[i * hd ..]}, its outputs at {@code o + i * outStride} and attends over {@code t + i} positions. Each
     * row's result is exactly what {@link #attend} gives it alone (implementations may load each key and value once
     * for several rows, as long as every row's arithmetic stays that of {@link #attend}).
     *
     * @param scores scratch of at least n * (t + n + {@link #ATTEND_SCRATCH_EXTRA}) floats
     */
    default void attendRows(MemorySegment out, long o, long outStride, float[] q, int n, MemorySegment keys, long ko,
                            MemorySegment values, long vo, int keyStride, int hd, int t, float scale,
                            float[] scores) {
        float[] row = n == 1 ? q : new float[hd];
        for (int i = 0; i < n; i++) {
            if (n > 1) {
                System.arraycopy(q, i * hd, row, 0, hd);
            }
            attend(out, o + i * outStride, row, keys, ko, values, vo, keyStride, hd, t + i, scale, scores);
        }
    }

    // ---- the scalar definitions every implementation matches bit for bit --------------------------------------------

    /** e^x in float: Cody-Waite reduction, a degree-6 polynomial, 2^n by exponent bits; 0 below -87, inf above 88. */
    static float exp(float x) {
        float xc = Math.max(Math.min(x, ExpConstants.HI), ExpConstants.LO);
        float n = Math.fma(xc, ExpConstants.LOG2E, ExpConstants.ROUND) - ExpConstants.ROUND;
        float r = Math.fma(n, ExpConstants.NEG_LN2_HI, xc);
        r = Math.fma(n, ExpConstants.NEG_LN2_LO, r);
        float p = ExpConstants.P0;
        p = Math.fma(p, r, ExpConstants.P1);
        p = Math.fma(p, r, ExpConstants.P2);
        p = Math.fma(p, r, ExpConstants.P3);
        p = Math.fma(p, r, ExpConstants.P4);
        p = Math.fma(p, r, ExpConstants.P5);
        p = Math.fma(p, r * r, r);
        p = p + 1f;
        float scale = Float.intBitsToFloat(((int) n << 23) + ExpConstants.BIAS);
        float y = p * scale;
        if (x > ExpConstants.HI) {
            return Float.POSITIVE_INFINITY;
        }
        return x < ExpConstants.LO ? 0f : y;
    }

    /**
     * GPT-2's GELU ("gelu_new"), {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as the equal
     * {@code x / (1 + e^(-2u))}, which keeps its precision for large negative x.
     */
    static float gelu(float x) {
        float p = Math.fma(x * x, ExpConstants.GELU_CUBIC, 1f);
        return x / (exp(x * p * ExpConstants.GELU_NEG_2K) + 1f);
    }

    /** The constants of {@link #exp} and {@link #gelu}, shared by both implementations. */
    final class ExpConstants {
        static final float HI = 88f;
        static final float LO = -87f;
        static final float LOG2E = 1.44269504088896341f;
        /** 1.5 * 2^23: adding and subtracting it rounds to the nearest integer. */
        static final float ROUND = 12582912f;
        static final float NEG_LN2_HI = -0.693359375f;
        static final float NEG_LN2_LO = 2.12194440e-4f;
        static final float P0 = 1.9875691500e-4f;
        static final float P1 = 1.3981999507e-3f;
        static final float P2 = 8.3334519073e-3f;
        static final float P3 = 4.1665795894e-2f;
        static final float P4 = 1.6666665459e-1f;
        static final float P5 = 5.0000001201e-1f;
        static final int BIAS = 127 << 23;
        static final float GELU_CUBIC = 0.044715f;
        /** -2 * sqrt(2 / pi). */
        static final float GELU_NEG_2K = (float) (-2 * Math.sqrt(2 / Math.PI));

        private ExpConstants() {
        }
    }
}
