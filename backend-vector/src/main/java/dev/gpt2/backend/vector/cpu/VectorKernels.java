package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.BIAS;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.GELU_CUBIC;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.GELU_NEG_2K;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.HI;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.LO;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.LOG2E;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.NEG_LN2_HI;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.NEG_LN2_LO;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P0;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P1;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P2;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P3;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P4;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.P5;
import static dev.gpt2.backend.vector.cpu.Kernels.ExpConstants.ROUND;

/**
 * The kernels on the Vector API at the width {@link Simd#BITS_PROPERTY} chose when this class loaded. The species is
 * a static constant so that C2 turns every vector operation into machine instructions. Each loop has the shape of
 * {@link ScalarKernels}' loop and does the same IEEE operations per element; tails use masks.
 */
final class VectorKernels implements Kernels {
    static final VectorSpecies<Float> S = species();
    static final int L = S.length();
    static final int BITS = S.vectorBitSize();
    /** Tile: 4 rows by 3 vectors, 12 accumulators (fits the 16 registers of AVX2, a third of AVX-512's 32). */
    private static final int MR = 4;
    private static final int NR = 3 * L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorShuffle<Float> SWAP_32 = swap(32);
    private static final VectorShuffle<Float> SWAP_16 = swap(16);
    private static final VectorShuffle<Float> SWAP_8 = swap(8);
    private static final VectorShuffle<Float> SWAP_4 = swap(4);
    private static final VectorShuffle<Float> SWAP_2 = swap(2);

    static final VectorKernels INSTANCE = new VectorKernels();

    private VectorKernels() {
    }

    private static VectorSpecies<Float> species() {
        int bits;
        try {
            bits = Simd.requestedBits(System.getProperty(Simd.BITS_PROPERTY));
        } catch (IllegalArgumentException e) {
            bits = -1; // Simd.fromProperty reports it
        }
        return bits <= 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    @Override
    public int bits() {
        return BITS;
    }

    @Override
    public int tileRows() {
        return MR;
    }

    @Override
    public int tileCols() {
        return NR;
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index << 2, LE);
    }

    private static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, index << 2, LE, m);
    }

    private static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index << 2, LE);
    }

    private static void store(FloatVector v, MemorySegment s, long index, VectorMask<Float> m) {
        v.intoMemorySegment(s, index << 2, LE, m);
    }

    private static FloatVector bc(float x) {
        return FloatVector.broadcast(S, x);
    }

    /**
     * The sum of the lanes in a fixed tree order (lane i plus lane i + L/2, and so on down to one lane), unlike
     * {@code reduceLanes(ADD)}, whose order the Vector API leaves open and which may differ between the interpreter
     * and compiled code.
     */
    static float sumLanes(FloatVector v) {
        if (L >= 64) {
            v = v.add(v.rearrange(SWAP_32));
        }
        if (L >= 32) {
            v = v.add(v.rearrange(SWAP_16));
        }
        if (L >= 16) {
            v = v.add(v.rearrange(SWAP_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(SWAP_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(SWAP_2));
        }
        return v.lane(0) + v.lane(1);
    }

    /**
     * {@link #sumLanes} of the vector stored at {@code a[off .. off + L)}, by the same additions in scalar code (it
     * folds the array in place).
     */
    static float sumLanes(float[] a, int off) {
        for (int w = L / 2; w >= 2; w /= 2) {
            for (int i = 0; i < w; i++) {
                a[off + i] = a[off + i] + a[off + i + w];
            }
        }
        return a[off] + a[off + 1];
    }

    private static VectorShuffle<Float> swap(int distance) {
        return L > distance ? VectorShuffle.fromOp(S, i -> i ^ distance) : null;
    }

    /**
     * {@code a[from + i] = exp(a[from + i] - sub)} ({@link Kernels#exp} on every lane) for i < n; when
     * {@code sumAt >= 0}, also stores the lanes of the results' partial sums at {@code a[sumAt ..]} (for
     * {@link #sumLanes(float[], int)}: a vector handed to a helper after the loop, a cold call, would be boxed). The
     * one place of the vector exp, for the same reason.
     */
    private static void expInPlace(float[] a, int from, int n, float sub, int sumAt) {
        FloatVector sum = bc(0f);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(S, a, from + i, m).sub(sub);
            FloatVector xc = x.min(HI).max(LO);
            FloatVector k = xc.fma(bc(LOG2E), bc(ROUND)).sub(ROUND);
            FloatVector r = k.fma(bc(NEG_LN2_HI), xc);
            r = k.fma(bc(NEG_LN2_LO), r);
            FloatVector p = bc(P0).fma(r, bc(P1));
            p = p.fma(r, bc(P2));
            p = p.fma(r, bc(P3));
            p = p.fma(r, bc(P4));
            p = p.fma(r, bc(P5));
            p = p.fma(r.mul(r), r);
            p = p.add(1f);
            IntVector bits = (IntVector) k.convert(VectorOperators.F2I, 0);
            FloatVector y = p.mul(bits.lanewise(VectorOperators.LSHL, 23).add(BIAS).reinterpretAsFloats());
            y = y.blend(bc(0f), x.compare(VectorOperators.LT, LO));
            y = y.blend(bc(Float.POSITIVE_INFINITY), x.compare(VectorOperators.GT, HI));
            y.intoArray(a, from + i, m);
            sum = sum.add(y, m);
        }
        if (sumAt >= 0) {
            sum.intoArray(a, sumAt);
        }
    }

    /**
     * {@code out[o + j] = gelu(acc[ao + j])} for j < n, as {@link Kernels#gelu}: x saved in {@code out}, the exponent
     * in {@code acc}, the exp in place, then {@code x / (1 + e)}.
     */
    private static void gelu(MemorySegment out, long o, float[] acc, int ao, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector x = FloatVector.fromArray(S, acc, ao + j, m);
            store(x, out, o + j, m);
            x.mul(x.mul(x).fma(bc(GELU_CUBIC), bc(1f))).mul(GELU_NEG_2K).intoArray(acc, ao + j, m);
        }
        expInPlace(acc, ao, n, 0f, -1);
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            store(load(out, o + j, m).div(FloatVector.fromArray(S, acc, ao + j, m).add(1f)), out, o + j, m);
        }
    }

    @Override
    public void add(MemorySegment out, long o, MemorySegment a, long ao, MemorySegment b, long bo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            store(load(a, ao + i).add(load(b, bo + i)), out, o + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            store(load(a, ao + i, m).add(load(b, bo + i, m)), out, o + i, m);
        }
    }

    @Override
    public void layerNorm(MemorySegment out, long o, MemorySegment in, long io, MemorySegment g, MemorySegment b, int c,
                          float eps) {
        int up = S.loopBound(c);
        VectorMask<Float> tail = up < c ? S.indexInRange(up, c) : null;
        FloatVector acc = bc(0f);
        for (int i = 0; i < up; i += L) {
            acc = acc.add(load(in, io + i));
        }
        if (tail != null) {
            acc = acc.add(load(in, io + up, tail));
        }
        float mean = sumLanes(acc) / c;
        FloatVector meanV = bc(mean);
        FloatVector sq = bc(0f);
        for (int i = 0; i < up; i += L) {
            FloatVector d = load(in, io + i).sub(meanV);
            sq = d.fma(d, sq);
        }
        if (tail != null) {
            FloatVector d = load(in, io + up, tail).sub(meanV, tail);
            sq = d.fma(d, sq);
        }
        float rstd = (float) (1 / Math.sqrt(sumLanes(sq) / c + eps));
        for (int i = 0; i < up; i += L) {
            store(load(in, io + i).sub(meanV).mul(rstd).fma(load(g, i), load(b, i)), out, o + i);
        }
        if (tail != null) {
            store(load(in, io + up, tail).sub(meanV).mul(rstd).fma(load(g, up, tail), load(b, up, tail)), out, o + up,
                    tail);
        }
    }

    @Override
    public void streamRows(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx, int k,
                           MemorySegment w, long wo, long ldw) {
        int up = S.loopBound(n);
        VectorMask<Float> tail = up < n ? S.indexInRange(up, n) : null;
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            long w0 = wo + kk * ldw;
            long w1 = w0 + ldw;
            long w2 = w1 + ldw;
            long w3 = w2 + ldw;
            for (int r = 0; r < m; r++) {
                long xr = xo + r * ldx + kk;
                FloatVector x0 = bc(ScalarKernels.get(x, xr));
                FloatVector x1 = bc(ScalarKernels.get(x, xr + 1));
                FloatVector x2 = bc(ScalarKernels.get(x, xr + 2));
                FloatVector x3 = bc(ScalarKernels.get(x, xr + 3));
                int base = ao + r * lda;
                for (int j = 0; j < up; j += L) {
                    FloatVector a = FloatVector.fromArray(S, acc, base + j);
                    a = x0.fma(load(w, w0 + j), a);
                    a = x1.fma(load(w, w1 + j), a);
                    a = x2.fma(load(w, w2 + j), a);
                    a = x3.fma(load(w, w3 + j), a);
                    a.intoArray(acc, base + j);
                }
                if (tail != null) {
                    FloatVector a = FloatVector.fromArray(S, acc, base + up, tail);
                    a = x0.fma(load(w, w0 + up, tail), a);
                    a = x1.fma(load(w, w1 + up, tail), a);
                    a = x2.fma(load(w, w2 + up, tail), a);
                    a = x3.fma(load(w, w3 + up, tail), a);
                    a.intoArray(acc, base + up, tail);
                }
            }
        }
        for (; kk < k; kk++) {
            long w0 = wo + kk * ldw;
            for (int r = 0; r < m; r++) {
                FloatVector x0 = bc(ScalarKernels.get(x, xo + r * ldx + kk));
                int base = ao + r * lda;
                for (int j = 0; j < up; j += L) {
                    x0.fma(load(w, w0 + j), FloatVector.fromArray(S, acc, base + j)).intoArray(acc, base + j);
                }
                if (tail != null) {
                    x0.fma(load(w, w0 + up, tail), FloatVector.fromArray(S, acc, base + up, tail))
                            .intoArray(acc, base + up, tail);
                }
            }
        }
    }

    @Override
    public void gemmTile(float[] c, float[] a, int ao, float[] b, float[] bias, int k) {
        for (int i = 0; i < MR; i++) {
            System.arraycopy(bias, 0, c, i * NR, NR);
        }
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            gemmBlock(c, a, ao + k0 * MR, b, k0 * NR, Math.min(K_BLOCK, k - k0));
        }
    }

    /** One block of K for {@link #gemmTile}: partial sums from zero in registers, then added to {@code c}. */
    private static void gemmBlock(float[] c, float[] a, int ao, float[] b, int bo, int k) {
        FloatVector z = bc(0f);
        FloatVector c00 = z, c01 = z, c02 = z;
        FloatVector c10 = z, c11 = z, c12 = z;
        FloatVector c20 = z, c21 = z, c22 = z;
        FloatVector c30 = z, c31 = z, c32 = z;
        int ai = ao;
        int bi = bo;
        for (int kk = 0; kk < k; kk++, ai += MR, bi += NR) {
            FloatVector w0 = FloatVector.fromArray(S, b, bi);
            FloatVector w1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector w2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector x = bc(a[ai]);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            c02 = x.fma(w2, c02);
            x = bc(a[ai + 1]);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            c12 = x.fma(w2, c12);
            x = bc(a[ai + 2]);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            c22 = x.fma(w2, c22);
            x = bc(a[ai + 3]);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
            c32 = x.fma(w2, c32);
        }
        FloatVector.fromArray(S, c, 0).add(c00).intoArray(c, 0);
        FloatVector.fromArray(S, c, L).add(c01).intoArray(c, L);
        FloatVector.fromArray(S, c, 2 * L).add(c02).intoArray(c, 2 * L);
        FloatVector.fromArray(S, c, NR).add(c10).intoArray(c, NR);
        FloatVector.fromArray(S, c, NR + L).add(c11).intoArray(c, NR + L);
        FloatVector.fromArray(S, c, NR + 2 * L).add(c12).intoArray(c, NR + 2 * L);
        FloatVector.fromArray(S, c, 2 * NR).add(c20).intoArray(c, 2 * NR);
        FloatVector.fromArray(S, c, 2 * NR + L).add(c21).intoArray(c, 2 * NR + L);
        FloatVector.fromArray(S, c, 2 * NR + 2 * L).add(c22).intoArray(c, 2 * NR + 2 * L);
        FloatVector.fromArray(S, c, 3 * NR).add(c30).intoArray(c, 3 * NR);
        FloatVector.fromArray(S, c, 3 * NR + L).add(c31).intoArray(c, 3 * NR + L);
        FloatVector.fromArray(S, c, 3 * NR + 2 * L).add(c32).intoArray(c, 3 * NR + 2 * L);
    }

    @Override
    public void packStrip(float[] strip, MemorySegment w, long wo, long ldw, int k, int width) {
        if (width == NR) {
            for (int kk = 0; kk < k; kk++) {
                long from = wo + kk * ldw;
                int to = kk * NR;
                load(w, from).intoArray(strip, to);
                load(w, from + L).intoArray(strip, to + L);
                load(w, from + 2 * L).intoArray(strip, to + 2 * L);
            }
            return;
        }
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < NR; j += L) {
                VectorMask<Float> m = S.indexInRange(j, width);
                load(w, wo + kk * ldw + j, m).intoArray(strip, kk * NR + j);
            }
        }
    }

    @Override
    public void epilogue(MemorySegment out, long o, float[] acc, int ao, int n, Epilogue epilogue) {
        switch (epilogue) {
            case STORE -> store(out, o, acc, ao, n);
            case GELU -> gelu(out, o, acc, ao, n);
            case ACCUMULATE -> accumulate(out, o, acc, ao, n);
        }
    }

    /** {@code out[o + j] = acc[ao + j]} for j < n. */
    private static void store(MemorySegment out, long o, float[] acc, int ao, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            store(FloatVector.fromArray(S, acc, ao + j, m), out, o + j, m);
        }
    }

    /** {@code out[o + j] += acc[ao + j]} for j < n. */
    private static void accumulate(MemorySegment out, long o, float[] acc, int ao, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            store(load(out, o + j, m).add(FloatVector.fromArray(S, acc, ao + j, m)), out, o + j, m);
        }
    }

    /**
     * Each dot product is one vector of partial sums along C, in order, then {@link #sumLanes}. When C is a whole
     * number of vectors (every GPT-2 size), tiles of 4 rows by 4 embedding rows share their loads; otherwise every
     * product takes the masked one-at-a-time path, which does the same arithmetic.
     */
    @Override
    public void dots(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int rows, MemorySegment wte,
                     long v0, int nv, int c, float[] scratch) {
        if (c % L != 0) {
            for (int r = 0; r < rows; r++) {
                for (long v = v0; v < v0 + nv; v++) {
                    ScalarKernels.set(out, outOff[r] + v, dotMasked(h, hOff[r], wte, v * c, c));
                }
            }
            return;
        }
        float[] lanes = scratch;
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            long v = v0;
            for (; v + 4 <= v0 + nv; v += 4) {
                dot4x4(out, outOff, h, hOff, r, wte, v, c, lanes);
            }
            for (; v < v0 + nv; v++) {
                for (int i = r; i < r + 4; i++) {
                    ScalarKernels.set(out, outOff[i] + v, dot(h, hOff[i], wte, v * c, c));
                }
            }
        }
        for (; r < rows; r++) {
            long v = v0;
            for (; v + 4 <= v0 + nv; v += 4) {
                dot1x4(out, outOff[r] + v, h, hOff[r], wte, v * c, c, lanes);
            }
            for (; v < v0 + nv; v++) {
                ScalarKernels.set(out, outOff[r] + v, dot(h, hOff[r], wte, v * c, c));
            }
        }
    }

    /** {@code h[ho ..] . wte[e ..]} over c values, c a multiple of L. */
    private static float dot(MemorySegment h, long ho, MemorySegment wte, long e, int c) {
        FloatVector a = bc(0f);
        for (int i = 0; i < c; i += L) {
            a = load(h, ho + i).fma(load(wte, e + i), a);
        }
        return sumLanes(a);
    }

    /** {@link #dot} for any c, the last vector masked. */
    private static float dotMasked(MemorySegment h, long ho, MemorySegment wte, long e, int c) {
        FloatVector a = bc(0f);
        for (int i = 0; i < c; i += L) {
            VectorMask<Float> m = S.indexInRange(i, c);
            a = load(h, ho + i, m).fma(load(wte, e + i, m), a);
        }
        return sumLanes(a);
    }

    /**
     * One row against the 4 consecutive embedding rows starting at {@code e}; c a multiple of L. The accumulators go
     * through {@code lanes} to be summed (a vector passed to a helper C2 did not inline would be boxed).
     */
    private static void dot1x4(MemorySegment out, long o, MemorySegment h, long ho, MemorySegment wte, long e, int c,
                               float[] lanes) {
        long e1 = e + c;
        long e2 = e1 + c;
        long e3 = e2 + c;
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < c; i += L) {
            FloatVector x = load(h, ho + i);
            a0 = x.fma(load(wte, e + i), a0);
            a1 = x.fma(load(wte, e1 + i), a1);
            a2 = x.fma(load(wte, e2 + i), a2);
            a3 = x.fma(load(wte, e3 + i), a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        for (int j = 0; j < 4; j++) {
            ScalarKernels.set(out, o + j, sumLanes(lanes, j * L));
        }
    }

    /** Rows r .. r+3 against the 4 embedding rows from {@code v} (outputs at column v); as {@link #dot1x4}. */
    private static void dot4x4(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int r,
                               MemorySegment wte, long v, int c, float[] lanes) {
        long h0 = hOff[r], h1 = hOff[r + 1], h2 = hOff[r + 2], h3 = hOff[r + 3];
        long e0 = v * c, e1 = e0 + c, e2 = e1 + c, e3 = e2 + c;
        FloatVector z = bc(0f);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        for (int i = 0; i < c; i += L) {
            FloatVector w0 = load(wte, e0 + i), w1 = load(wte, e1 + i), w2 = load(wte, e2 + i);
            FloatVector w3 = load(wte, e3 + i);
            FloatVector x = load(h, h0 + i);
            a00 = x.fma(w0, a00);
            a01 = x.fma(w1, a01);
            a02 = x.fma(w2, a02);
            a03 = x.fma(w3, a03);
            x = load(h, h1 + i);
            a10 = x.fma(w0, a10);
            a11 = x.fma(w1, a11);
            a12 = x.fma(w2, a12);
            a13 = x.fma(w3, a13);
            x = load(h, h2 + i);
            a20 = x.fma(w0, a20);
            a21 = x.fma(w1, a21);
            a22 = x.fma(w2, a22);
            a23 = x.fma(w3, a23);
            x = load(h, h3 + i);
            a30 = x.fma(w0, a30);
            a31 = x.fma(w1, a31);
            a32 = x.fma(w2, a32);
            a33 = x.fma(w3, a33);
        }
        a00.intoArray(lanes, 0);
        a01.intoArray(lanes, L);
        a02.intoArray(lanes, 2 * L);
        a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L);
        a11.intoArray(lanes, 5 * L);
        a12.intoArray(lanes, 6 * L);
        a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L);
        a21.intoArray(lanes, 9 * L);
        a22.intoArray(lanes, 10 * L);
        a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L);
        a31.intoArray(lanes, 13 * L);
        a32.intoArray(lanes, 14 * L);
        a33.intoArray(lanes, 15 * L);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                ScalarKernels.set(out, outOff[r + i] + v + j, sumLanes(lanes, (4 * i + j) * L));
            }
        }
    }

    @Override
    public void attend(MemorySegment out, long o, float[] q, MemorySegment keys, long ko, MemorySegment values,
                       long vo, int keyStride, int hd, int t, float scale, float[] scores) {
        int p = 0;
        for (; p + 8 * L <= t; p += 8 * L) {
            scores8(scores, p, q, keys, ko, keyStride, hd, scale);
        }
        for (; p < t; p += 4 * L) {
            scores4(scores, p, q, keys, ko, keyStride, hd, t, scale);
        }
        float total = softmaxNumerators(scores, t);
        int d0 = 0;
        for (; d0 + 4 * L <= hd; d0 += 4 * L) {
            weightedValues4(out, o + d0, scores, values, vo + d0, hd, t, total);
        }
        for (; d0 < hd; d0 += L) {
            weightedValues1(out, o + d0, scores, values, vo + d0, hd, t, total, Math.min(L, hd - d0));
        }
    }

    /**
     * {@code scores[p ..] = (sum over d of q[d] * k_p[d], in order of d) * scale} for 8 blocks of keys from
     * {@code p}: eight independent chains keep both FMA pipes busy.
     */
    private static void scores8(float[] scores, int p, float[] q, MemorySegment keys, long ko, int keyStride, int hd,
                                float scale) {
        FloatVector s0 = bc(0f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int d = 0; d < hd; d++) {
            FloatVector qd = bc(q[d]);
            long row = ko + (long) d * keyStride + p;
            s0 = qd.fma(load(keys, row), s0);
            s1 = qd.fma(load(keys, row + L), s1);
            s2 = qd.fma(load(keys, row + 2 * L), s2);
            s3 = qd.fma(load(keys, row + 3 * L), s3);
            s4 = qd.fma(load(keys, row + 4 * L), s4);
            s5 = qd.fma(load(keys, row + 5 * L), s5);
            s6 = qd.fma(load(keys, row + 6 * L), s6);
            s7 = qd.fma(load(keys, row + 7 * L), s7);
        }
        s0.mul(scale).intoArray(scores, p);
        s1.mul(scale).intoArray(scores, p + L);
        s2.mul(scale).intoArray(scores, p + 2 * L);
        s3.mul(scale).intoArray(scores, p + 3 * L);
        s4.mul(scale).intoArray(scores, p + 4 * L);
        s5.mul(scale).intoArray(scores, p + 5 * L);
        s6.mul(scale).intoArray(scores, p + 6 * L);
        s7.mul(scale).intoArray(scores, p + 7 * L);
    }

    /** {@link #scores8} for 4 blocks of keys from {@code p}, masked at t (the last keys). */
    private static void scores4(float[] scores, int p, float[] q, MemorySegment keys, long ko, int keyStride, int hd,
                                int t, float scale) {
        VectorMask<Float> m0 = S.indexInRange(p, t), m1 = S.indexInRange(p + L, t);
        VectorMask<Float> m2 = S.indexInRange(p + 2 * L, t), m3 = S.indexInRange(p + 3 * L, t);
        FloatVector s0 = bc(0f), s1 = s0, s2 = s0, s3 = s0;
        for (int d = 0; d < hd; d++) {
            FloatVector qd = bc(q[d]);
            long row = ko + (long) d * keyStride + p;
            s0 = qd.fma(load(keys, row, m0), s0);
            s1 = qd.fma(load(keys, row + L, m1), s1);
            s2 = qd.fma(load(keys, row + 2 * L, m2), s2);
            s3 = qd.fma(load(keys, row + 3 * L, m3), s3);
        }
        s0.mul(scale).intoArray(scores, p, m0);
        s1.mul(scale).intoArray(scores, p + L, m1);
        s2.mul(scale).intoArray(scores, p + 2 * L, m2);
        s3.mul(scale).intoArray(scores, p + 3 * L, m3);
    }

    /**
     * Replaces {@code scores[0, t)} by {@code exp(score - max)} and returns their sum; uses {@code scores[t, t + L)}
     * as scratch.
     */
    private static float softmaxNumerators(float[] scores, int t) {
        int up = S.loopBound(t);
        FloatVector mx = bc(Float.NEGATIVE_INFINITY);
        for (int i = 0; i < up; i += L) {
            mx = mx.max(FloatVector.fromArray(S, scores, i));
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (int i = up; i < t; i++) {
            max = Math.max(max, scores[i]);
        }
        expInPlace(scores, 0, t, max, t);
        return sumLanes(scores, t);
    }

    /**
     * Four vectors of the output, {@code out[o ..] = sum over p of e[p] * v_p[..] / total}: two chains over the
     * positions (even and odd) for each vector, eight in all.
     */
    private static void weightedValues4(MemorySegment out, long o, float[] e, MemorySegment values, long vb, int hd,
                                        int t, float total) {
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int i = 0;
        for (; i + 2 <= t; i += 2) {
            FloatVector w = bc(e[i]);
            long row = vb + (long) i * hd;
            a0 = w.fma(load(values, row), a0);
            a1 = w.fma(load(values, row + L), a1);
            a2 = w.fma(load(values, row + 2 * L), a2);
            a3 = w.fma(load(values, row + 3 * L), a3);
            w = bc(e[i + 1]);
            row += hd;
            b0 = w.fma(load(values, row), b0);
            b1 = w.fma(load(values, row + L), b1);
            b2 = w.fma(load(values, row + 2 * L), b2);
            b3 = w.fma(load(values, row + 3 * L), b3);
        }
        if (i < t) {
            FloatVector w = bc(e[i]);
            long row = vb + (long) i * hd;
            a0 = w.fma(load(values, row), a0);
            a1 = w.fma(load(values, row + L), a1);
            a2 = w.fma(load(values, row + 2 * L), a2);
            a3 = w.fma(load(values, row + 3 * L), a3);
        }
        store(a0.add(b0).div(total), out, o);
        store(a1.add(b1).div(total), out, o + L);
        store(a2.add(b2).div(total), out, o + 2 * L);
        store(a3.add(b3).div(total), out, o + 3 * L);
    }

    /** One vector of the output as {@link #weightedValues4} computes it, for the first {@code lanes} lanes. */
    private static void weightedValues1(MemorySegment out, long o, float[] e, MemorySegment values, long vb, int hd,
                                        int t, float total, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector a0 = bc(0f), b0 = a0;
        int i = 0;
        for (; i + 2 <= t; i += 2) {
            a0 = bc(e[i]).fma(load(values, vb + (long) i * hd, m), a0);
            b0 = bc(e[i + 1]).fma(load(values, vb + (long) (i + 1) * hd, m), b0);
        }
        if (i < t) {
            a0 = bc(e[i]).fma(load(values, vb + (long) i * hd, m), a0);
        }
        store(a0.add(b0).div(total), out, o, m);
    }
}
