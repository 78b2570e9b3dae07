package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.WeightFormats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The kernels in plain Java, one element at a time: the backend's kernels when the Vector API is turned off
 * ({@code -Dgpt2.vector.bits=0}) and the readable definition of what {@link VectorKernels} computes.
 */
final class ScalarKernels implements Kernels {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MR = 4;
    private static final int NR = 4;

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public int bits() {
        return 0;
    }

    @Override
    public int tileRows() {
        return MR;
    }

    @Override
    public int tileCols() {
        return NR;
    }

    static float get(MemorySegment s, long index) {
        return s.getAtIndex(F32, index);
    }

    static void set(MemorySegment s, long index, float value) {
        s.setAtIndex(F32, index, value);
    }

    /**
     * Element (r, c) of a weight in any dtype, converted to F32 exactly as {@link WeightFormats} says: the one
     * definition of a reduced-precision weight's value, which the vector kernels reproduce lane by lane.
     */
    static float weight(CpuTensor w, long r, long c) {
        long i = r * w.cols() + c;
        MemorySegment d = w.data();
        return switch (w.dtype()) {
            case F32 -> get(d, i);
            case F16 -> WeightFormats.f16ToFloat(d.getAtIndex(I16, i));
            case BF16 -> WeightFormats.bf16ToFloat(d.getAtIndex(I16, i));
            case Q8_0 -> get(w.scales(), w.scaleIndex(r, c)) * d.get(ValueLayout.JAVA_BYTE,
                    CpuTensor.q8Offset(r, c, w.cols()));
        };
    }

    /**
     * Packs a strip of {@code nr} columns of W from column {@code j0}: {@code strip[kk*nr + j] = W(kk, j0 + j)} for
     * j < width, 0 beyond (for tiles of any width).
     */
    static void packStrip(float[] strip, int nr, CpuTensor w, int j0, int k, int width) {
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < nr; j++) {
                strip[kk * nr + j] = j < width ? weight(w, kk, j0 + j) : 0f;
            }
        }
    }

    @Override
    public void layerNorm(MemorySegment out, long o, MemorySegment in, long io, MemorySegment g, MemorySegment b, int c,
                          float eps) {
        float sum = 0;
        for (int i = 0; i < c; i++) {
            sum += get(in, io + i);
        }
        float mean = sum / c;
        float sq = 0;
        for (int i = 0; i < c; i++) {
            float d = get(in, io + i) - mean;
            sq = Math.fma(d, d, sq);
        }
        float rstd = (float) (1 / Math.sqrt(sq / c + eps));
        for (int i = 0; i < c; i++) {
            set(out, o + i, Math.fma((get(in, io + i) - mean) * rstd, get(g, i), get(b, i)));
        }
    }

    @Override
    public void streamRows(float[] acc, int ao, int lda, int m, int n, MemorySegment x, long xo, long ldx, int k,
                           CpuTensor w, int k0, int j0) {
        for (int r = 0; r < m; r++) {
            int row = ao + r * lda;
            for (int kk = 0; kk < k; kk++) {
                float xv = get(x, xo + r * ldx + kk);
                for (int j = 0; j < n; j++) {
                    acc[row + j] = Math.fma(xv, weight(w, k0 + kk, j0 + j), acc[row + j]);
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
            int k1 = Math.min(k, k0 + K_BLOCK);
            for (int i = 0; i < MR; i++) {
                for (int j = 0; j < NR; j++) {
                    float p = 0;
                    for (int kk = k0; kk < k1; kk++) {
                        p = Math.fma(a[ao + kk * MR + i], b[kk * NR + j], p);
                    }
                    c[i * NR + j] = c[i * NR + j] + p;
                }
            }
        }
    }

    @Override
    public void packStrip(float[] strip, CpuTensor w, int j0, int k, int width) {
        packStrip(strip, NR, w, j0, k, width);
    }

    @Override
    public void toFloats(float[] dst, int off, CpuTensor w, int r, int c0, int n) {
        for (int j = 0; j < n; j++) {
            dst[off + j] = weight(w, r, c0 + j);
        }
    }

    @Override
    public void epilogue(MemorySegment out, long o, float[] acc, int ao, int n, Epilogue epilogue) {
        for (int j = 0; j < n; j++) {
            float v = acc[ao + j];
            set(out, o + j, switch (epilogue) {
                case STORE -> v;
                case GELU -> Kernels.gelu(v);
                case ACCUMULATE -> get(out, o + j) + v;
            });
        }
    }

    @Override
    public void dots(MemorySegment out, long[] outOff, MemorySegment h, long[] hOff, int rows, MemorySegment wte,
                     long v0, int nv, int c, float[] scratch) {
        for (int r = 0; r < rows; r++) {
            for (long v = v0; v < v0 + nv; v++) {
                long e = v * c;
                float acc = 0;
                for (int i = 0; i < c; i++) {
                    acc = Math.fma(get(h, hOff[r] + i), get(wte, e + i), acc);
                }
                set(out, outOff[r] + v, acc);
            }
        }
    }

    @Override
    public void dotsOneRow(MemorySegment out, long o, MemorySegment h, long ho, CpuTensor wte, int v0, int nv,
                           float[] scratch) {
        int c = wte.cols();
        for (int v = v0; v < v0 + nv; v++) {
            float acc = 0;
            for (int i = 0; i < c; i++) {
                acc = Math.fma(get(h, ho + i), weight(wte, v, i), acc);
            }
            set(out, o + v, acc);
        }
    }

    @Override
    public void softmax(float[] a, int from, int n) {
        float inverse = 1f / numerators(a, from, n);
        for (int i = 0; i < n; i++) {
            a[from + i] *= inverse;
        }
    }

    /** Replaces {@code a[from, from + n)} by {@code exp(x - max)} ({@link Kernels#exp}) and returns their sum. */
    private static float numerators(float[] a, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[from + i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = Kernels.exp(a[from + i] - max);
            a[from + i] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    public void attend(MemorySegment out, long o, float[] q, MemorySegment keys, long ko, MemorySegment values,
                       long vo, int keyStride, int hd, int t, float scale, float[] scores) {
        for (int p = 0; p < t; p++) {
            float s = 0;
            for (int d = 0; d < hd; d++) {
                s = Math.fma(q[d], get(keys, ko + (long) d * keyStride + p), s);
            }
            scores[p] = s * scale;
        }
        float sum = numerators(scores, 0, t);
        for (int d = 0; d < hd; d++) {
            float acc = 0;
            for (int p = 0; p < t; p++) {
                acc = Math.fma(scores[p], get(values, vo + (long) p * hd + d), acc);
            }
            set(out, o + d, acc / sum);
        }
    }
}
