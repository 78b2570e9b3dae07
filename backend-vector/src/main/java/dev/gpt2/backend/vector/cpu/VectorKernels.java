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

    private static VectorShuffle<Float> swap(int distance) {
        return L > distance ? VectorShuffle.fromOp(S, i -> i ^ distance) : null;
    }

    /**
     * {@code s[o + i] = exp(s[o + i] - sub)} ({@link Kernels#exp} on every lane) for i < n; returns the sum of the
     * results (lanes summed by {@link #sumLanes}). The one place of the vector exp: helpers that pass vectors between
     * methods get boxed once C2 compiles them on their own, so the whole loop lives here.
     */
    private static float expInPlace(MemorySegment s, long o, int n, float sub) {
        FloatVector sum = bc(0f);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector x = load(s, o + i, m).sub(sub);
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
            store(y, s, o + i, m);
            sum = sum.add(y, m);
        }
        return sumLanes(sum);
    }

    /**
     * {@code out[o + j] = gelu(acc[ao + j])} for j < n, as {@link Kernels#gelu}: the exponent into {@code out}, the
     * exp in place, then {@code x / (1 + e)}.
     */
    private static void gelu(MemorySegment out, long o, float[] acc, int ao, int n) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector x = FloatVector.fromArray(S, acc, ao + j, m);
            store(x.mul(x.mul(x).fma(bc(GELU_CUBIC), bc(1f))).mul(GELU_NEG_2K), out, o + j, m);
        }
        expInPlace(out, o, n, 0f);
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = S.indexInRange(j, n);
            store(FloatVector.fromArray(S, acc, ao + j, m).div(load(out, o + j, m).add(1f)), out, o + j, m);
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
    public void streamRows(float[] acc, int m, int n, MemorySegment x, long xo, int k, MemorySegment w, long wo,
                           long ldw) {
        int up = S.loopBound(n);
        VectorMask<Float> tail = up < n ? S.indexInRange(up, n) : null;
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            long w0 = wo + kk * ldw;
            long w1 = w0 + ldw;
            long w2 = w1 + ldw;
            long w3 = w2 + ldw;
            for (int r = 0; r < m; r++) {
                long xr = xo + (long) r * k + kk;
                FloatVector x0 = bc(ScalarKernels.get(x, xr));
                FloatVector x1 = bc(ScalarKernels.get(x, xr + 1));
                FloatVector x2 = bc(ScalarKernels.get(x, xr + 2));
                FloatVector x3 = bc(ScalarKernels.get(x, xr + 3));
                int base = r * n;
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
                FloatVector x0 = bc(ScalarKernels.get(x, xo + (long) r * k + kk));
                int base = r * n;
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
        FloatVector bias0 = FloatVector.fromArray(S, bias, 0);
        FloatVector bias1 = FloatVector.fromArray(S, bias, L);
        FloatVector bias2 = FloatVector.fromArray(S, bias, 2 * L);
        FloatVector c00 = bias0, c01 = bias1, c02 = bias2;
        FloatVector c10 = bias0, c11 = bias1, c12 = bias2;
        FloatVector c20 = bias0, c21 = bias1, c22 = bias2;
        FloatVector c30 = bias0, c31 = bias1, c32 = bias2;
        int ai = ao;
        int bi = 0;
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
        c00.intoArray(c, 0);
        c01.intoArray(c, L);
        c02.intoArray(c, 2 * L);
        c10.intoArray(c, NR);
        c11.intoArray(c, NR + L);
        c12.intoArray(c, NR + 2 * L);
        c20.intoArray(c, 2 * NR);
        c21.intoArray(c, 2 * NR + L);
        c22.intoArray(c, 2 * NR + 2 * L);
        c30.intoArray(c, 3 * NR);
        c31.intoArray(c, 3 * NR + L);
        c32.intoArray(c, 3 * NR + 2 * L);
    }

    @Override
    public void epilogue(MemorySegment out, long o, float[] acc, int ao, int n, Epilogue epilogue) {
        int up = S.loopBound(n);
        VectorMask<Float> tail = up < n ? S.indexInRange(up, n) : null;
        switch (epilogue) {
            case STORE -> {
                for (int j = 0; j < up; j += L) {
                    store(FloatVector.fromArray(S, acc, ao + j), out, o + j);
                }
                if (tail != null) {
                    store(FloatVector.fromArray(S, acc, ao + up, tail), out, o + up, tail);
                }
            }
            case GELU -> gelu(out, o, acc, ao, n);
            case ACCUMULATE -> {
                for (int j = 0; j < up; j += L) {
                    store(load(out, o + j).add(FloatVector.fromArray(S, acc, ao + j)), out, o + j);
                }
                if (tail != null) {
                    store(load(out, o + up, tail).add(FloatVector.fromArray(S, acc, ao + up, tail)), out, o + up,
                            tail);
                }
            }
        }
    }

    @Override
    public void dots(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int rows, MemorySegment wte,
                     long v0, int nv, int c) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int v = 0;
            for (; v + 4 <= nv; v += 4) {
                dot4x4(out, outOff, h, hOff, r, wte, (v0 + v) * c, c, v0 + v);
            }
            for (; v < nv; v++) {
                for (int i = r; i < r + 4; i++) {
                    dot1x4(out, outOff[i] + v0 + v, h, hOff[i], wte, (v0 + v) * c, c, 1);
                }
            }
        }
        for (; r < rows; r++) {
            int v = 0;
            for (; v + 4 <= nv; v += 4) {
                dot1x4(out, outOff[r] + v0 + v, h, hOff[r], wte, (v0 + v) * c, c, 4);
            }
            for (; v < nv; v++) {
                dot1x4(out, outOff[r] + v0 + v, h, hOff[r], wte, (v0 + v) * c, c, 1);
            }
        }
    }

    /** One row against {@code count} (1 or 4) consecutive embedding rows starting at {@code e}. */
    private static void dot1x4(MemorySegment out, long o, MemorySegment h, long ho, MemorySegment wte, long e, int c,
                               int count) {
        int up = S.loopBound(c);
        if (count == 1) {
            FloatVector a = bc(0f);
            for (int i = 0; i < up; i += L) {
                a = load(h, ho + i).fma(load(wte, e + i), a);
            }
            if (up < c) {
                VectorMask<Float> m = S.indexInRange(up, c);
                a = load(h, ho + up, m).fma(load(wte, e + up, m), a);
            }
            ScalarKernels.set(out, o, sumLanes(a));
            return;
        }
        long e1 = e + c;
        long e2 = e1 + c;
        long e3 = e2 + c;
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < up; i += L) {
            FloatVector x = load(h, ho + i);
            a0 = x.fma(load(wte, e + i), a0);
            a1 = x.fma(load(wte, e1 + i), a1);
            a2 = x.fma(load(wte, e2 + i), a2);
            a3 = x.fma(load(wte, e3 + i), a3);
        }
        if (up < c) {
            VectorMask<Float> m = S.indexInRange(up, c);
            FloatVector x = load(h, ho + up, m);
            a0 = x.fma(load(wte, e + up, m), a0);
            a1 = x.fma(load(wte, e1 + up, m), a1);
            a2 = x.fma(load(wte, e2 + up, m), a2);
            a3 = x.fma(load(wte, e3 + up, m), a3);
        }
        ScalarKernels.set(out, o, sumLanes(a0));
        ScalarKernels.set(out, o + 1, sumLanes(a1));
        ScalarKernels.set(out, o + 2, sumLanes(a2));
        ScalarKernels.set(out, o + 3, sumLanes(a3));
    }

    /** Rows r .. r+3 against the 4 embedding rows starting at {@code e}; outputs at column {@code v}. */
    private static void dot4x4(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int r,
                               MemorySegment wte, long e, int c, long v) {
        long h0 = hOff[r], h1 = hOff[r + 1], h2 = hOff[r + 2], h3 = hOff[r + 3];
        long e1 = e + c, e2 = e1 + c, e3 = e2 + c;
        FloatVector z = bc(0f);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        int up = S.loopBound(c);
        for (int i = 0; i < up; i += L) {
            FloatVector w0 = load(wte, e + i), w1 = load(wte, e1 + i), w2 = load(wte, e2 + i), w3 = load(wte, e3 + i);
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
        if (up < c) {
            VectorMask<Float> m = S.indexInRange(up, c);
            FloatVector w0 = load(wte, e + up, m), w1 = load(wte, e1 + up, m), w2 = load(wte, e2 + up, m);
            FloatVector w3 = load(wte, e3 + up, m);
            FloatVector x = load(h, h0 + up, m);
            a00 = x.fma(w0, a00);
            a01 = x.fma(w1, a01);
            a02 = x.fma(w2, a02);
            a03 = x.fma(w3, a03);
            x = load(h, h1 + up, m);
            a10 = x.fma(w0, a10);
            a11 = x.fma(w1, a11);
            a12 = x.fma(w2, a12);
            a13 = x.fma(w3, a13);
            x = load(h, h2 + up, m);
            a20 = x.fma(w0, a20);
            a21 = x.fma(w1, a21);
            a22 = x.fma(w2, a22);
            a23 = x.fma(w3, a23);
            x = load(h, h3 + up, m);
            a30 = x.fma(w0, a30);
            a31 = x.fma(w1, a31);
            a32 = x.fma(w2, a32);
            a33 = x.fma(w3, a33);
        }
        put4(out, outOff[r] + v, a00, a01, a02, a03);
        put4(out, outOff[r + 1] + v, a10, a11, a12, a13);
        put4(out, outOff[r + 2] + v, a20, a21, a22, a23);
        put4(out, outOff[r + 3] + v, a30, a31, a32, a33);
    }

    private static void put4(MemorySegment out, long o, FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        ScalarKernels.set(out, o, sumLanes(a));
        ScalarKernels.set(out, o + 1, sumLanes(b));
        ScalarKernels.set(out, o + 2, sumLanes(c));
        ScalarKernels.set(out, o + 3, sumLanes(d));
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

    /** Replaces {@code scores[0, t)} by {@code exp(score - max)} and returns their sum. */
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
        return expInPlace(MemorySegment.ofArray(scores), 0, t, max);
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
