package dev.gpt2.backend.reference;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.util.Map;

/**
 * The algorithmic reference: every kernel written the plainest way, single-threaded, accumulating in double. Weights
 * held as F16, BF16 or Q8_0 are rounded exactly as {@link WeightFormats} says and then used as F32 values, so the
 * reference predicts what a backend computes from reduced-precision weights. Slow on purpose; the test oracle.
 */
public final class ReferenceBackend implements Backend {

    public ReferenceBackend() {
    }

    /** A tensor as plain floats (reduced-precision weights already rounded). */
    static final class RefTensor implements Tensor {
        final DType dtype;
        final int rows;
        final int cols;
        final float[] data;

        RefTensor(DType dtype, int rows, int cols, float[] data) {
            this.dtype = dtype;
            this.rows = rows;
            this.cols = cols;
            this.data = data;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public void close() {
        }
    }

    /** Keys and values as [layer][position * C + column]. */
    static final class RefCache implements KvCache {
        final int capacity;
        final int headDim;
        final int width;
        final float[][] k;
        final float[][] v;

        RefCache(int nLayer, int nHead, int headDim, int capacity) {
            this.capacity = capacity;
            this.headDim = headDim;
            this.width = nHead * headDim;
            this.k = new float[nLayer][capacity * width];
            this.v = new float[nLayer][capacity * width];
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public void close() {
        }
    }

    @Override
    public String name() {
        return ReferenceProvider.NAME;
    }

    @Override
    public Map<String, String> describe() {
        return Map.of("kind", "naive reference, double accumulation");
    }

    @Override
    public Tensor upload(WeightView weight, WeightRole role, DType storeAs) {
        float[] values = WeightFormats.toFloats(weight);
        DType held = role == WeightRole.VECTOR ? DType.F32 : storeAs;
        switch (held) {
            case F32 -> { }
            case F16, BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = WeightFormats.roundTrip(values[i], held);
                }
            }
            case Q8_0 -> quantizeQ8(values, weight.rows(), weight.cols(), role == WeightRole.MATMUL);
        }
        return new RefTensor(held, weight.rows(), weight.cols(), values);
    }

    /**
     * Rounds {@code values} [rows, cols] through Q8_0 in place: blocks run along the input dimension, which is the
     * rows of a matmul weight [in, out] and the columns of an embedding [n, C].
     */
    static void quantizeQ8(float[] values, int rows, int cols, boolean alongRows) {
        int block = DType.Q8_BLOCK;
        byte[] q = new byte[block];
        if (alongRows) {
            for (int c = 0; c < cols; c++) {
                for (int r0 = 0; r0 < rows; r0 += block) {
                    int n = Math.min(block, rows - r0);
                    float scale = WeightFormats.quantizeQ8Block(values, r0 * cols + c, cols, n, q, 0);
                    for (int i = 0; i < n; i++) {
                        values[(r0 + i) * cols + c] = scale * q[i];
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                for (int c0 = 0; c0 < cols; c0 += block) {
                    int n = Math.min(block, cols - c0);
                    float scale = WeightFormats.quantizeQ8Block(values, r * cols + c0, 1, n, q, 0);
                    for (int i = 0; i < n; i++) {
                        values[r * cols + c0 + i] = scale * q[i];
                    }
                }
            }
        }
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor shape must be positive, got " + rows + " x " + cols);
        }
        return new RefTensor(DType.F32, rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    @Override
    public KvCache allocateCache(int nLayer, int nHead, int headDim, int capacity) {
        return new RefCache(nLayer, nHead, headDim, capacity);
    }

    @Override
    public void copyCache(KvCache dst, KvCache src, int positions) {
        RefCache d = (RefCache) dst;
        RefCache s = (RefCache) src;
        for (int l = 0; l < s.k.length; l++) {
            System.arraycopy(s.k[l], 0, d.k[l], 0, positions * s.width);
            System.arraycopy(s.v[l], 0, d.v[l], 0, positions * s.width);
        }
    }

    @Override
    public void write(Tensor dst, float[] src) {
        System.arraycopy(src, 0, t(dst).data, 0, src.length);
    }

    @Override
    public void read(Tensor src, int firstRow, int rows, float[] dst) {
        RefTensor s = t(src);
        System.arraycopy(s.data, firstRow * s.cols, dst, 0, rows * s.cols);
    }

    @Override
    public void embed(Tensor out, Tensor wte, Tensor wpe, int[] ids, int[] positions) {
        RefTensor o = t(out);
        RefTensor e = t(wte);
        RefTensor p = t(wpe);
        int c = o.cols;
        for (int r = 0; r < ids.length; r++) {
            for (int j = 0; j < c; j++) {
                o.data[r * c + j] = e.data[ids[r] * c + j] + p.data[positions[r] * c + j];
            }
        }
    }

    @Override
    public void layerNorm(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, float eps) {
        RefTensor o = t(out);
        RefTensor x = t(in);
        float[] g = t(weight).data;
        float[] b = t(bias).data;
        int c = x.cols;
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < c; j++) {
                mean += x.data[r * c + j];
            }
            mean /= c;
            double var = 0;
            for (int j = 0; j < c; j++) {
                double d = x.data[r * c + j] - mean;
                var += d * d;
            }
            var /= c;
            double rstd = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < c; j++) {
                o.data[r * c + j] = (float) ((x.data[r * c + j] - mean) * rstd * g[j] + b[j]);
            }
        }
    }

    @Override
    public void matmul(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, Epilogue epilogue) {
        RefTensor o = t(out);
        RefTensor x = t(in);
        RefTensor w = t(weight);
        float[] b = t(bias).data;
        int k = w.rows;
        int n = w.cols;
        if (x.cols != k || o.cols != n || b.length != n) {
            throw new IllegalArgumentException("matmul shapes: in [" + rows + ", " + x.cols + "], weight [" + k + ", "
                    + n + "], bias " + b.length + ", out [" + o.rows + ", " + o.cols + "]");
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double acc = b[j];
                for (int i = 0; i < k; i++) {
                    acc += (double) x.data[r * k + i] * w.data[i * n + j];
                }
                int at = r * n + j;
                switch (epilogue) {
                    case STORE -> o.data[at] = (float) acc;
                    case GELU -> o.data[at] = (float) gelu(acc);
                    case ACCUMULATE -> o.data[at] = (float) (o.data[at] + acc);
                }
            }
        }
    }

    /** GPT-2's tanh approximation of GELU ("gelu_new"). */
    public static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Override
    public void attention(Tensor out, Tensor qkv, int layer, AttentionBatch batch) {
        RefTensor o = t(out);
        RefTensor a = t(qkv);
        int c = o.cols;
        for (AttentionBatch.Slice s : batch.slices()) {
            RefCache cache = (RefCache) s.cache();
            float[] kc = cache.k[layer];
            float[] vc = cache.v[layer];
            for (int i = 0; i < s.rows(); i++) {
                int row = s.firstRow() + i;
                int pos = s.pastLength() + i;
                System.arraycopy(a.data, row * 3 * c + c, kc, pos * c, c);
                System.arraycopy(a.data, row * 3 * c + 2 * c, vc, pos * c, c);
            }
            int hd = cache.headDim;
            for (int i = 0; i < s.rows(); i++) {
                int row = s.firstRow() + i;
                int last = s.pastLength() + i;
                for (int h = 0; h < c / hd; h++) {
                    double[] score = new double[last + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= last; p++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += (double) a.data[row * 3 * c + h * hd + d] * kc[p * c + h * hd + d];
                        }
                        score[p] = dot / Math.sqrt(hd);
                        max = Math.max(max, score[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= last; p++) {
                        score[p] = Math.exp(score[p] - max);
                        sum += score[p];
                    }
                    for (int d = 0; d < hd; d++) {
                        double acc = 0;
                        for (int p = 0; p <= last; p++) {
                            acc += score[p] * vc[p * c + h * hd + d];
                        }
                        o.data[row * c + h * hd + d] = (float) (acc / sum);
                    }
                }
            }
        }
    }

    @Override
    public void logits(Tensor out, Tensor hidden, int[] rows, Tensor wte) {
        RefTensor o = t(out);
        RefTensor h = t(hidden);
        RefTensor e = t(wte);
        int c = h.cols;
        int v = e.rows;
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < v; j++) {
                double acc = 0;
                for (int d = 0; d < c; d++) {
                    acc += (double) h.data[rows[i] * c + d] * e.data[j * c + d];
                }
                o.data[i * v + j] = (float) acc;
            }
        }
    }

    @Override
    public void close() {
    }

    private static RefTensor t(Tensor tensor) {
        if (tensor instanceof RefTensor r) {
            return r;
        }
        throw new IllegalArgumentException("not a reference tensor: " + tensor);
    }
}
