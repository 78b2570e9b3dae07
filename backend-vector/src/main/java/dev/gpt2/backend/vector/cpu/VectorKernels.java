package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
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
    /** Ints of the same width, for the bits of converted 16-bit values. */
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);
    /**
     * 16-bit values, L lanes of them (half the width); at 64 bits, where no 32-bit species exists, the 64-bit one
     * loaded under {@link #HALF_LANES}.
     */
    private static final VectorSpecies<Short> HS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(Math.max(64, BITS / 2)));
    private static final VectorMask<Short> HALF_LANES = HS.indexInRange(0, L);
    /**
     * Bytes, at least L lanes of them (a quarter of the width, or 64 bits below 256: the conversion takes the first L;
     * {@link CpuTensor#q8Bytes} pads a Q8_0 tensor so that the 8-byte load of its last run's last values stays inside).
     */
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, BITS / 4)));
    /** 112 in the exponent field of an F32: the F16 exponent bias subtracted from the F32 one. */
    private static final int F16_REBIAS = 112 << 23;
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

    /** L 16-bit values from {@code s} at value {@code index}, sign-extended to ints. */
    private static IntVector halfs(MemorySegment s, long index) {
        ShortVector h = HS.length() == L ? ShortVector.fromMemorySegment(HS, s, index << 1, LE)
                : ShortVector.fromMemorySegment(HS, s, index << 1, LE, HALF_LANES);
        return (IntVector) h.convertShape(VectorOperators.S2I, IS, 0);
    }

    /** L BF16 values as F32 (exact: the bits shifted into the upper half). */
    private static FloatVector bf16(MemorySegment s, long index) {
        return halfs(s, index).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * L F16 values as F32, exactly as {@link Float#float16ToFloat}: exponent and mantissa moved into place and scaled
     * by 2^112 (which also normalises subnormals); infinities and NaNs (exponent 31) get 2^112 once more in their
     * exponent bits, which makes it all ones; then the sign (bit 31 of the sign-extended value). No masks: they cost
     * C2 too many nodes to inline four conversions in one loop.
     */
    private static FloatVector f16(MemorySegment s, long index) {
        IntVector h = halfs(s, index);
        IntVector em = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector special = em.add(1 << 23).lanewise(VectorOperators.LSHL, 3).lanewise(VectorOperators.ASHR, 31)
                .and(F16_REBIAS);
        IntVector bits = em.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().add(special);
        return bits.or(h.and(Integer.MIN_VALUE)).reinterpretAsFloats();
    }

    /**
     * L Q8_0 values of one row from byte {@code at}, as F32 not yet scaled: L consecutive bytes (a row's bytes of one
     * run, from a column that is a multiple of L: see {@link CpuTensor}), sign-extended and converted.
     */
    private static FloatVector q8(MemorySegment q, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(BS, q, at, LE).convertShape(VectorOperators.B2F, S, 0);
    }

    /**
     * {@link CpuTensor#q8Column} of a column c that is a multiple of L: at 16 lanes (one run per vector) simply 4 c, so
     * that C2 sees the addresses of a loop over c advance by a constant (the Q8_0 logits of one row measured 2.3 ms
     * this way against 2.8 with the general form, 124M on 2 Zen 5 cores).
     */
    private static long q8Column(long c) {
        return L == CpuTensor.Q8_RUN ? 4 * c : CpuTensor.q8Column(c);
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
                           CpuTensor w, int k0, int j0) {
        long ldw = w.cols();
        long wo = k0 * ldw + j0;
        if (w.dtype() == DType.F32) {
            streamF32(acc, ao, lda, m, n, x, xo, ldx, k, w.data(), wo, ldw);
            return;
        }
        // Q8_0 vectors are a run's consecutive bytes from a column that is a multiple of L: other columns go plain
        int up = w.dtype() == DType.Q8_0 && j0 % L != 0 ? 0 : S.loopBound(n);
        switch (w.dtype()) {
            case BF16, F16 -> stream16(acc, ao, lda, m, up, x, xo, ldx, k, w.data(), wo, ldw,
                    w.dtype() == DType.BF16);
            case Q8_0 -> streamQ8(acc, ao, lda, m, up, x, xo, ldx, k, w.data(), CpuTensor.q8Offset(k0, 0, ldw), j0,
                    CpuTensor.q8GroupBytes(ldw), w.scales(), w.scaleIndex(k0, j0), ldw);
            case F32 -> throw new AssertionError("F32 streams above");
        }
        if (up < n) {
            ScalarKernels.INSTANCE.streamRows(acc, ao + up, lda, m, n - up, x, xo, ldx, k, w, k0, j0 + up);
        }
    }

    /** {@link #streamRows} for F32 weights, from W's value {@code wo} with rows {@code ldw} apart. */
    private static void streamF32(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx,
                                  int k, MemorySegment w, long wo, long ldw) {
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

    /**
     * {@link #streamF32} for 16-bit weights (BF16 when {@code brain}, else F16), n a multiple of L: one row of W at a
     * time, a single sequential stream (measured faster than four rows at once for 16-bit weights; and C2 would not
     * inline four F16 conversions into one loop).
     */
    private static void stream16(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx,
                                 int k, MemorySegment w, long wo, long ldw, boolean brain) {
        for (int kk = 0; kk < k; kk++) {
            long w0 = wo + kk * ldw;
            for (int r = 0; r < m; r++) {
                FloatVector x0 = bc(ScalarKernels.get(x, xo + r * ldx + kk));
                int base = ao + r * lda;
                for (int j = 0; j < n; j += L) {
                    FloatVector v = brain ? bf16(w, w0 + j) : f16(w, w0 + j);
                    x0.fma(v, FloatVector.fromArray(S, acc, base + j)).intoArray(acc, base + j);
                }
            }
        }
    }

    /**
     * {@link #streamF32} for Q8_0 weights, n and j0 multiples of L: W's rows kk .. kk+3 are one group from byte
     * {@code wo + (kk / 4) * group} (kk a multiple of 4: the block starts at a multiple of 64), column j0 + j of its
     * row t at {@link CpuTensor#q8Column q8Column(j0 + j)} + 16 t further; each value {@code scale * q}, the four rows'
     * scales alike at {@code sc[so + (kk / 32) * ldw + j]}.
     */
    private static void streamQ8(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx,
                                 int k, MemorySegment q, long wo, int j0, long group, MemorySegment sc, long so,
                                 long ldw) {
        int run = CpuTensor.Q8_RUN;
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            long g = wo + (kk >> 2) * group;
            long s0 = so + kk / DType.Q8_BLOCK * ldw;
            for (int r = 0; r < m; r++) {
                long xr = xo + r * ldx + kk;
                FloatVector x0 = bc(ScalarKernels.get(x, xr));
                FloatVector x1 = bc(ScalarKernels.get(x, xr + 1));
                FloatVector x2 = bc(ScalarKernels.get(x, xr + 2));
                FloatVector x3 = bc(ScalarKernels.get(x, xr + 3));
                int base = ao + r * lda;
                for (int j = 0; j < n; j += L) {
                    long at = g + q8Column(j0 + j);
                    FloatVector scale = load(sc, s0 + j);
                    FloatVector a = FloatVector.fromArray(S, acc, base + j);
                    a = x0.fma(q8(q, at).mul(scale), a);
                    a = x1.fma(q8(q, at + run).mul(scale), a);
                    a = x2.fma(q8(q, at + 2 * run).mul(scale), a);
                    a = x3.fma(q8(q, at + 3 * run).mul(scale), a);
                    a.intoArray(acc, base + j);
                }
            }
        }
        for (; kk < k; kk++) {
            long g = wo + (kk >> 2) * group + (kk & 3) * run;
            long s0 = so + kk / DType.Q8_BLOCK * ldw;
            for (int r = 0; r < m; r++) {
                FloatVector x0 = bc(ScalarKernels.get(x, xo + r * ldx + kk));
                int base = ao + r * lda;
                for (int j = 0; j < n; j += L) {
                    x0.fma(q8(q, g + q8Column(j0 + j)).mul(load(sc, s0 + j)),
                            FloatVector.fromArray(S, acc, base + j)).intoArray(acc, base + j);
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
    public void packStrip(float[] strip, CpuTensor w, int j0, int k, int width) {
        if (width < NR) {
            ScalarKernels.packStrip(strip, NR, w, j0, k, width);
        } else if (w.dtype() == DType.F32) {
            packStripF32(strip, w.data(), j0, w.cols(), k);
        } else {
            for (int kk = 0; kk < k; kk++) {
                toFloats(strip, kk * NR, w, kk, j0, NR);
            }
        }
    }

    /** A whole strip of F32 weights: {@code strip[kk*NR + j] = w[wo + kk*ldw + j]}. */
    private static void packStripF32(float[] strip, MemorySegment w, long wo, long ldw, int k) {
        for (int kk = 0; kk < k; kk++) {
            long from = wo + kk * ldw;
            int to = kk * NR;
            load(w, from).intoArray(strip, to);
            load(w, from + L).intoArray(strip, to + L);
            load(w, from + 2 * L).intoArray(strip, to + 2 * L);
        }
    }

    @Override
    public void toFloats(float[] dst, int off, CpuTensor w, int r, int c0, int n) {
        long i = (long) r * w.cols() + c0;
        MemorySegment d = w.data();
        int up = S.loopBound(n);
        int j = 0;
        switch (w.dtype()) {
            case F32 -> {
                MemorySegment.copy(d, ScalarKernels.F32, i * Float.BYTES, dst, off, n);
                j = n;
            }
            case BF16 -> {
                for (; j < up; j += L) {
                    bf16(d, i + j).intoArray(dst, off + j);
                }
            }
            case F16 -> {
                for (; j < up; j += L) {
                    f16(d, i + j).intoArray(dst, off + j);
                }
            }
            case Q8_0 -> j = q8ToFloats(dst, off, w, r, c0, n);
        }
        for (; j < n; j++) {
            dst[off + j] = ScalarKernels.weight(w, r, c0 + j);
        }
    }

    /**
     * Q8_0 values (r, c0 ..): a vector wherever L columns from a multiple of L are wanted (one run's consecutive
     * bytes; L divides 32, so the vector lies within one block of scales: a vector of scales when the blocks run down
     * the rows, one scale when they run along them), the values before and after one at a time; converts all n.
     */
    private static int q8ToFloats(float[] dst, int off, CpuTensor w, int r, int c0, int n) {
        MemorySegment q = w.data();
        MemorySegment sc = w.scales();
        long at = CpuTensor.q8Offset(r, 0, w.cols());
        int j = 0;
        while (j < n) {
            int c = c0 + j;
            if (c % L == 0 && j + L <= n) {
                FloatVector v = q8(q, at + q8Column(c));
                long si = w.scaleIndex(r, c);
                (w.blocksAlongRows() ? v.mul(load(sc, si)) : v.mul(ScalarKernels.get(sc, si))).intoArray(dst, off + j);
                j += L;
            } else {
                dst[off + j] = ScalarKernels.weight(w, r, c);
                j++;
            }
        }
        return n;
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
        int r = 0;
        if (c % L == 0) {
            for (; r + 4 <= rows; r += 4) {
                long v = v0;
                for (; v + 4 <= v0 + nv; v += 4) {
                    dot4x4(out, outOff, h, hOff, r, wte, v, c, scratch);
                }
                for (; v < v0 + nv; v++) {
                    for (int i = r; i < r + 4; i++) {
                        ScalarKernels.set(out, outOff[i] + v, dot(h, hOff[i], wte, v * c, c));
                    }
                }
            }
        }
        for (; r < rows; r++) {
            dotsF32(out, outOff[r], h, hOff[r], wte, v0, nv, c, scratch);
        }
    }

    /** {@link #dots} of one row: {@code out[o + v] = h[ho ..] . wte[v * c ..]} for v in [v0, v0 + nv). */
    private static void dotsF32(MemorySegment out, long o, MemorySegment h, long ho, MemorySegment wte, long v0,
                                int nv, int c, float[] lanes) {
        long v = v0;
        if (c % L == 0) {
            for (; v + 4 <= v0 + nv; v += 4) {
                dot1x4(out, o + v, h, ho, wte, v * c, c, lanes);
            }
        }
        for (; v < v0 + nv; v++) {
            ScalarKernels.set(out, o + v, c % L == 0 ? dot(h, ho, wte, v * c, c) : dotMasked(h, ho, wte, v * c, c));
        }
    }

    /**
     * One row against any dtype: F32 as {@link #dots}; the others converted lane by lane inside the dot products
     * when C is a whole number of vectors (4 embedding rows at a time; F16 one at a time; for Q8_0, every vector
     * must lie within a block), else each embedding row converted into {@code scratch} first. Either way the
     * arithmetic of {@link #dots} on the converted values.
     */
    @Override
    public void dotsOneRow(MemorySegment out, long o, MemorySegment h, long ho, CpuTensor wte, int v0, int nv,
                           float[] scratch) {
        int c = wte.cols();
        if (wte.dtype() == DType.F32) {
            dotsF32(out, o, h, ho, wte.data(), v0, nv, c, scratch);
            return;
        }
        MemorySegment e = wte.data();
        int v = v0;
        if (wte.dtype() == DType.F16 && c % L == 0) {
            for (; v < v0 + nv; v++) {
                ScalarKernels.set(out, o + v, dotF16(h, ho, e, (long) v * c, c));
            }
            return;
        }
        boolean direct = switch (wte.dtype()) {
            case BF16 -> c % L == 0;
            case Q8_0 -> c % L == 0 && !wte.blocksAlongRows() && v0 % 4 == 0;
            case F32, F16 -> false;
        };
        if (direct) {
            for (; v + 4 <= v0 + nv; v += 4) {
                if (wte.dtype() == DType.BF16) {
                    dot1x4Bf16(out, o + v, h, ho, e, (long) v * c, c, scratch);
                } else {
                    dot1x4Q8(out, o + v, h, ho, e, CpuTensor.q8Offset(v, 0, c), c, wte.scales(),
                            wte.scaleIndex(v, 0), wte.scalesPerRow(), scratch);
                }
            }
        }
        if (v < v0 + nv) {
            MemorySegment row = MemorySegment.ofArray(scratch);
            for (; v < v0 + nv; v++) {
                toFloats(scratch, 0, wte, v, 0, c);
                ScalarKernels.set(out, o + v, c % L == 0 ? dot(h, ho, row, 0, c) : dotMasked(h, ho, row, 0, c));
            }
        }
    }

    /** The sums of the first {@code count} vectors stored in {@code lanes}, into {@code out[o ..]}. */
    private static void storeSums(MemorySegment out, long o, float[] lanes, int count) {
        for (int j = 0; j < count; j++) {
            ScalarKernels.set(out, o + j, sumLanes(lanes, j * L));
        }
    }

    /**
     * {@link #dot} against one F16 embedding row, c a multiple of L (one row at a time: the conversion is long; C2
     * would not inline four of them into one loop).
     */
    private static float dotF16(MemorySegment h, long ho, MemorySegment wte, long e, int c) {
        FloatVector a = bc(0f);
        for (int i = 0; i < c; i += L) {
            a = load(h, ho + i).fma(f16(wte, e + i), a);
        }
        return sumLanes(a);
    }

    /** {@link #dot1x4} against BF16 embedding rows. */
    private static void dot1x4Bf16(MemorySegment out, long o, MemorySegment h, long ho, MemorySegment wte, long e,
                                   int c, float[] lanes) {
        long e1 = e + c;
        long e2 = e1 + c;
        long e3 = e2 + c;
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < c; i += L) {
            FloatVector x = load(h, ho + i);
            a0 = x.fma(bf16(wte, e + i), a0);
            a1 = x.fma(bf16(wte, e1 + i), a1);
            a2 = x.fma(bf16(wte, e2 + i), a2);
            a3 = x.fma(bf16(wte, e3 + i), a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        storeSums(out, o, lanes, 4);
    }

    /**
     * {@link #dot1x4} against a group of four Q8_0 embedding rows (from byte {@code at}: see {@link CpuTensor}) whose
     * blocks run along them: row v's scale of column i at {@code sc[so + v * perRow + i / 32]}; L divides 32, so each
     * vector lies within a block.
     */
    private static void dot1x4Q8(MemorySegment out, long o, MemorySegment h, long ho, MemorySegment q, long at, int c,
                                 MemorySegment sc, long so, int perRow, float[] lanes) {
        long s1 = so + perRow;
        long s2 = s1 + perRow;
        long s3 = s2 + perRow;
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < c; i += L) {
            FloatVector x = load(h, ho + i);
            long run = at + q8Column(i);
            int b = i / DType.Q8_BLOCK;
            a0 = x.fma(q8(q, run).mul(ScalarKernels.get(sc, so + b)), a0);
            a1 = x.fma(q8(q, run + CpuTensor.Q8_RUN).mul(ScalarKernels.get(sc, s1 + b)), a1);
            a2 = x.fma(q8(q, run + 2 * CpuTensor.Q8_RUN).mul(ScalarKernels.get(sc, s2 + b)), a2);
            a3 = x.fma(q8(q, run + 3 * CpuTensor.Q8_RUN).mul(ScalarKernels.get(sc, s3 + b)), a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        storeSums(out, o, lanes, 4);
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
        storeSums(out, o, lanes, 4);
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
        scoresRow(scores, 0, q, 0, keys, ko, keyStride, hd, t, scale);
        float total = softmaxNumerators(scores, 0, t);
        weightedValuesRow(out, o, scores, 0, values, vo, hd, t, total);
    }

    /**
     * Prefill rows: scores 8 rows at a time, each key vector loaded once for them all; values 2 rows at a time.
     * Every row's operations are those of {@link #attend}, so its result is the same bits as alone (measured on 2
     * Zen 5 vCPUs: 124M's attention over a 512-token prompt in 48 ms instead of 91). Row i's scores at
     * {@code scores[i * (t + n + EXTRA) ..]}.
     */
    @Override
    public void attendRows(MemorySegment out, long o, long outStride, float[] q, int n, MemorySegment keys, long ko,
                           MemorySegment values, long vo, int keyStride, int hd, int t, float scale,
                           float[] scores) {
        if (n == 1) {
            attend(out, o, q, keys, ko, values, vo, keyStride, hd, t, scale, scores);
            return;
        }
        int stride = t + n + ATTEND_SCRATCH_EXTRA;
        int r = 0;
        for (; r + 8 <= n; r += 8) {
            scoresRows8(scores, r * stride, stride, q, r * hd, keys, ko, keyStride, hd, t + r + 7, scale);
        }
        for (; r < n; r++) {
            scoresRow(scores, r * stride, q, r * hd, keys, ko, keyStride, hd, t + r, scale);
        }
        r = 0;
        int whole = hd - hd % (2 * L);
        for (; r + 2 <= n; r += 2) {
            float total0 = softmaxNumerators(scores, r * stride, t + r);
            float total1 = softmaxNumerators(scores, (r + 1) * stride, t + r + 1);
            for (int d0 = 0; d0 < whole; d0 += 2 * L) {
                weightedValues2x2(out, o + r * outStride + d0, o + (r + 1) * outStride + d0, scores, r * stride,
                        (r + 1) * stride, values, vo + d0, hd, t + r, total0, total1);
            }
            for (int d0 = whole; d0 < hd; d0 += L) {
                weightedValues1(out, o + r * outStride + d0, scores, r * stride, values, vo + d0, hd, t + r,
                        total0, Math.min(L, hd - d0));
                weightedValues1(out, o + (r + 1) * outStride + d0, scores, (r + 1) * stride, values, vo + d0, hd,
                        t + r + 1, total1, Math.min(L, hd - d0));
            }
        }
        for (; r < n; r++) {
            weightedValuesRow(out, o + r * outStride, scores, r * stride, values, vo, hd, t + r,
                    softmaxNumerators(scores, r * stride, t + r));
        }
    }

    /** The scaled scores of one query row (from {@code q[qo]}) over t keys, into {@code scores[so ..]}. */
    private static void scoresRow(float[] scores, int so, float[] q, int qo, MemorySegment keys, long ko,
                                  int keyStride, int hd, int t, float scale) {
        int p = 0;
        for (; p + 8 * L <= t; p += 8 * L) {
            scores8(scores, so, p, q, qo, keys, ko, keyStride, hd, scale);
        }
        for (; p < t; p += 4 * L) {
            scores4(scores, so, p, q, qo, keys, ko, keyStride, hd, t, scale);
        }
    }

    /** One row's output from its softmax numerators {@code e[eo ..]} and their total. */
    private static void weightedValuesRow(MemorySegment out, long o, float[] e, int eo, MemorySegment values, long vo,
                                          int hd, int t, float total) {
        int d0 = 0;
        for (; d0 + 4 * L <= hd; d0 += 4 * L) {
            weightedValues4(out, o + d0, e, eo, values, vo + d0, hd, t, total);
        }
        for (; d0 < hd; d0 += L) {
            weightedValues1(out, o + d0, e, eo, values, vo + d0, hd, t, total, Math.min(L, hd - d0));
        }
    }

    /**
     * {@link #scores4}'s arithmetic for 8 query rows at once (from {@code q[qo]}, hd apart), two vectors of keys at a
     * time over the first {@code tMax} keys (the longest row's): each key vector loaded serves the 8 rows. Row i's
     * scores at {@code scores[so + i * stride ..]}; those past a shorter row's own length are computed from real keys
     * and left unused.
     */
    private static void scoresRows8(float[] scores, int so, int stride, float[] q, int qo, MemorySegment keys,
                                    long ko, int keyStride, int hd, int tMax, float scale) {
        for (int p = 0; p < tMax; p += 2 * L) {
            VectorMask<Float> m0 = S.indexInRange(p, tMax), m1 = S.indexInRange(p + L, tMax);
            FloatVector z = bc(0f);
            FloatVector s00 = z, s01 = z;
            FloatVector s10 = z, s11 = z;
            FloatVector s20 = z, s21 = z;
            FloatVector s30 = z, s31 = z;
            FloatVector s40 = z, s41 = z;
            FloatVector s50 = z, s51 = z;
            FloatVector s60 = z, s61 = z;
            FloatVector s70 = z, s71 = z;
            for (int d = 0; d < hd; d++) {
                long row = ko + (long) d * keyStride + p;
                FloatVector k0 = load(keys, row, m0);
                FloatVector k1 = load(keys, row + L, m1);
                FloatVector x = bc(q[qo + d]);
                s00 = x.fma(k0, s00);
                s01 = x.fma(k1, s01);
                x = bc(q[qo + hd + d]);
                s10 = x.fma(k0, s10);
                s11 = x.fma(k1, s11);
                x = bc(q[qo + 2 * hd + d]);
                s20 = x.fma(k0, s20);
                s21 = x.fma(k1, s21);
                x = bc(q[qo + 3 * hd + d]);
                s30 = x.fma(k0, s30);
                s31 = x.fma(k1, s31);
                x = bc(q[qo + 4 * hd + d]);
                s40 = x.fma(k0, s40);
                s41 = x.fma(k1, s41);
                x = bc(q[qo + 5 * hd + d]);
                s50 = x.fma(k0, s50);
                s51 = x.fma(k1, s51);
                x = bc(q[qo + 6 * hd + d]);
                s60 = x.fma(k0, s60);
                s61 = x.fma(k1, s61);
                x = bc(q[qo + 7 * hd + d]);
                s70 = x.fma(k0, s70);
                s71 = x.fma(k1, s71);
            }
            int at = so + p;
            s00.mul(scale).intoArray(scores, at, m0);
            s01.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s10.mul(scale).intoArray(scores, at, m0);
            s11.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s20.mul(scale).intoArray(scores, at, m0);
            s21.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s30.mul(scale).intoArray(scores, at, m0);
            s31.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s40.mul(scale).intoArray(scores, at, m0);
            s41.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s50.mul(scale).intoArray(scores, at, m0);
            s51.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s60.mul(scale).intoArray(scores, at, m0);
            s61.mul(scale).intoArray(scores, at + L, m1);
            at += stride;
            s70.mul(scale).intoArray(scores, at, m0);
            s71.mul(scale).intoArray(scores, at + L, m1);
        }
    }

    /**
     * Two vectors of {@link #weightedValues4}'s output for two rows at once: row 0 over t0 positions (numerators at
     * {@code e[e0 ..]}), row 1 over t0 + 1 (at {@code e[e1 ..]}); each value vector loaded once for both, each
     * row's even and odd chains as alone.
     */
    private static void weightedValues2x2(MemorySegment out, long o0, long o1, float[] e, int e0, int e1,
                                          MemorySegment values, long vb, int hd, int t0, float total0,
                                          float total1) {
        FloatVector a0 = bc(0f), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int i = 0;
        for (; i + 2 <= t0; i += 2) {
            long row = vb + (long) i * hd;
            FloatVector v0 = load(values, row);
            FloatVector v1 = load(values, row + L);
            FloatVector u0 = load(values, row + hd);
            FloatVector u1 = load(values, row + hd + L);
            FloatVector w = bc(e[e0 + i]);
            a0 = w.fma(v0, a0);
            a1 = w.fma(v1, a1);
            w = bc(e[e1 + i]);
            c0 = w.fma(v0, c0);
            c1 = w.fma(v1, c1);
            w = bc(e[e0 + i + 1]);
            b0 = w.fma(u0, b0);
            b1 = w.fma(u1, b1);
            w = bc(e[e1 + i + 1]);
            d0 = w.fma(u0, d0);
            d1 = w.fma(u1, d1);
        }
        // i is t0 (t0 even) or t0 - 1 (odd): row 0 has 0 or 1 position left, row 1 one more than row 0
        long row = vb + (long) i * hd;
        FloatVector v0 = load(values, row);
        FloatVector v1 = load(values, row + L);
        FloatVector w = bc(e[e1 + i]);
        c0 = w.fma(v0, c0);
        c1 = w.fma(v1, c1);
        if (i < t0) {
            w = bc(e[e0 + i]);
            a0 = w.fma(v0, a0);
            a1 = w.fma(v1, a1);
            w = bc(e[e1 + i + 1]);
            d0 = w.fma(load(values, row + hd), d0);
            d1 = w.fma(load(values, row + hd + L), d1);
        }
        store(a0.add(b0).div(total0), out, o0);
        store(a1.add(b1).div(total0), out, o0 + L);
        store(c0.add(d0).div(total1), out, o1);
        store(c1.add(d1).div(total1), out, o1 + L);
    }

    /**
     * {@code scores[p ..] = (sum over d of q[d] * k_p[d], in order of d) * scale} for 8 blocks of keys from
     * {@code p}: eight independent chains keep both FMA pipes busy.
     */
    private static void scores8(float[] scores, int so, int p, float[] q, int qo, MemorySegment keys, long ko,
                                int keyStride, int hd, float scale) {
        FloatVector s0 = bc(0f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int d = 0; d < hd; d++) {
            FloatVector qd = bc(q[qo + d]);
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
        s0.mul(scale).intoArray(scores, so + p);
        s1.mul(scale).intoArray(scores, so + p + L);
        s2.mul(scale).intoArray(scores, so + p + 2 * L);
        s3.mul(scale).intoArray(scores, so + p + 3 * L);
        s4.mul(scale).intoArray(scores, so + p + 4 * L);
        s5.mul(scale).intoArray(scores, so + p + 5 * L);
        s6.mul(scale).intoArray(scores, so + p + 6 * L);
        s7.mul(scale).intoArray(scores, so + p + 7 * L);
    }

    /** {@link #scores8} for 4 blocks of keys from {@code p}, masked at t (the last keys). */
    private static void scores4(float[] scores, int so, int p, float[] q, int qo, MemorySegment keys, long ko,
                                int keyStride, int hd, int t, float scale) {
        VectorMask<Float> m0 = S.indexInRange(p, t), m1 = S.indexInRange(p + L, t);
        VectorMask<Float> m2 = S.indexInRange(p + 2 * L, t), m3 = S.indexInRange(p + 3 * L, t);
        FloatVector s0 = bc(0f), s1 = s0, s2 = s0, s3 = s0;
        for (int d = 0; d < hd; d++) {
            FloatVector qd = bc(q[qo + d]);
            long row = ko + (long) d * keyStride + p;
            s0 = qd.fma(load(keys, row, m0), s0);
            s1 = qd.fma(load(keys, row + L, m1), s1);
            s2 = qd.fma(load(keys, row + 2 * L, m2), s2);
            s3 = qd.fma(load(keys, row + 3 * L, m3), s3);
        }
        s0.mul(scale).intoArray(scores, so + p, m0);
        s1.mul(scale).intoArray(scores, so + p + L, m1);
        s2.mul(scale).intoArray(scores, so + p + 2 * L, m2);
        s3.mul(scale).intoArray(scores, so + p + 3 * L, m3);
    }

    @Override
    public void softmax(float[] a, int from, int n) {
        float inverse = 1f / softmaxNumerators(a, from, n);
        int up = S.loopBound(n);
        for (int i = 0; i < up; i += L) {
            FloatVector.fromArray(S, a, from + i).mul(inverse).intoArray(a, from + i);
        }
        for (int i = up; i < n; i++) {
            a[from + i] *= inverse;
        }
    }

    /**
     * Replaces {@code scores[from, from + t)} by {@code exp(score - max)} and returns their sum; uses
     * {@code scores[from + t, from + t + L)} as scratch.
     */
    private static float softmaxNumerators(float[] scores, int from, int t) {
        int up = S.loopBound(t);
        FloatVector mx = bc(Float.NEGATIVE_INFINITY);
        for (int i = 0; i < up; i += L) {
            mx = mx.max(FloatVector.fromArray(S, scores, from + i));
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (int i = up; i < t; i++) {
            max = Math.max(max, scores[from + i]);
        }
        expInPlace(scores, from, t, max, from + t);
        return sumLanes(scores, from + t);
    }

    /**
     * Four vectors of the output, {@code out[o ..] = sum over p of e[p] * v_p[..] / total}: two chains over the
     * positions (even and odd) for each vector, eight in all.
     */
    private static void weightedValues4(MemorySegment out, long o, float[] e, int eo, MemorySegment values, long vb,
                                        int hd, int t, float total) {
        FloatVector a0 = bc(0f), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int i = 0;
        for (; i + 2 <= t; i += 2) {
            FloatVector w = bc(e[eo + i]);
            long row = vb + (long) i * hd;
            a0 = w.fma(load(values, row), a0);
            a1 = w.fma(load(values, row + L), a1);
            a2 = w.fma(load(values, row + 2 * L), a2);
            a3 = w.fma(load(values, row + 3 * L), a3);
            w = bc(e[eo + i + 1]);
            row += hd;
            b0 = w.fma(load(values, row), b0);
            b1 = w.fma(load(values, row + L), b1);
            b2 = w.fma(load(values, row + 2 * L), b2);
            b3 = w.fma(load(values, row + 3 * L), b3);
        }
        if (i < t) {
            FloatVector w = bc(e[eo + i]);
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
    private static void weightedValues1(MemorySegment out, long o, float[] e, int eo, MemorySegment values, long vb,
                                        int hd, int t, float total, int lanes) {
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector a0 = bc(0f), b0 = a0;
        int i = 0;
        for (; i + 2 <= t; i += 2) {
            a0 = bc(e[eo + i]).fma(load(values, vb + (long) i * hd, m), a0);
            b0 = bc(e[eo + i + 1]).fma(load(values, vb + (long) (i + 1) * hd, m), b0);
        }
        if (i < t) {
            a0 = bc(e[eo + i]).fma(load(values, vb + (long) i * hd, m), a0);
        }
        store(a0.add(b0).div(total), out, o, m);
    }
}
