package dev.gpt2.backend.openblas;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.TokenChoice;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
import dev.gpt2.backend.vector.cpu.ComputePool;
import dev.gpt2.backend.vector.cpu.CpuBackend;
import dev.gpt2.backend.vector.cpu.CpuTensor;
import dev.gpt2.backend.vector.cpu.Simd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenBLAS backend: {@code backend-vector}'s {@link CpuBackend} (tensors, embeddings, layer norm) with the big
 * products on OpenBLAS ({@link BlasMatmul}) and attention as BLAS products per head ({@link BlasAttention}), over KV
 * caches of its own ({@link BlasCache}) laid out for them.
 *
 * <p>Everything computes on the CPU backend's one {@link ComputePool}: its threads run the tasks (column blocks of a
 * product, heads of attention), each task one single-threaded BLAS call at a time.
 */
final class OpenBlasBackend implements Backend {
    private final CpuBackend cpu;
    private final ComputePool pool;
    private final Set<BlasCache> caches = ConcurrentHashMap.newKeySet();
    private final Arena scratchArena = Arena.ofShared();
    /** Per-worker scores of {@link BlasAttention}; safe because the pool runs one loop at a time. */
    private final MemorySegment[] scratch;

    OpenBlasBackend(BackendConfig config, Simd simd) {
        BlasMatmul[] engine = new BlasMatmul[1];
        this.cpu = new CpuBackend(OpenBlasProvider.NAME, config, simd, (p, s) -> engine[0] = new BlasMatmul(p, s));
        this.pool = engine[0].pool();
        this.scratch = new MemorySegment[pool.threads()];
    }

    @Override
    public String name() {
        return cpu.name();
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>(cpu.describe());
        m.put("blas", OpenBlasLibrary.describe());
        m.put("attention", "BLAS per head: sgemm on tiles of " + BlasAttention.TILE + " rows, sgemv for one row");
        return m;
    }

    // ---- memory and the kernels of the CPU backend --------------------------------------------------------------

    @Override
    public Tensor upload(WeightView weight, WeightRole role, DType storeAs) {
        return cpu.upload(weight, role, storeAs);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        return cpu.allocate(rows, cols);
    }

    @Override
    public void write(Tensor dst, float[] src) {
        cpu.write(dst, src);
    }

    @Override
    public void read(Tensor src, int firstRow, int rows, float[] dst) {
        cpu.read(src, firstRow, rows, dst);
    }

    @Override
    public void embed(Tensor out, Tensor wte, Tensor wpe, int[] ids, int[] positions) {
        cpu.embed(out, wte, wpe, ids, positions);
    }

    @Override
    public void layerNorm(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, float eps) {
        cpu.layerNorm(out, in, rows, weight, bias, eps);
    }

    @Override
    public void matmul(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, Epilogue epilogue) {
        cpu.matmul(out, in, rows, weight, bias, epilogue);
    }

    @Override
    public void logits(Tensor out, Tensor hidden, int[] rows, Tensor wte) {
        cpu.logits(out, hidden, rows, wte);
    }

    @Override
    public int[] chooseTokens(Tensor logits, TokenChoice[] choices) {
        return cpu.chooseTokens(logits, choices);
    }

    @Override
    public void tokenLogProbs(Tensor logits, int[] targets, double[] out) {
        cpu.tokenLogProbs(logits, targets, out);
    }

    @Override
    public Optional<DeviceLimits> measureLimits(Duration budget) {
        return cpu.measureLimits(budget);
    }

    // ---- KV caches and attention -------------------------------------------------------------------------------

    @Override
    public KvCache allocateCache(int nLayer, int nHead, int headDim, int capacity) {
        BlasCache cache = new BlasCache(nLayer, nHead, headDim, capacity, caches);
        caches.add(cache);
        return cache;
    }

    @Override
    public void copyCache(KvCache dst, KvCache src, int positions) {
        BlasCache d = cache(dst);
        BlasCache s = cache(src);
        if (d.nLayer != s.nLayer || d.nHead != s.nHead || d.headDim != s.headDim) {
            throw new IllegalArgumentException("copyCache needs caches of one shape: " + s + " to " + d);
        }
        if (positions < 0 || positions > s.capacity || positions > d.capacity) {
            throw new IllegalArgumentException("copyCache of " + positions + " positions from " + s + " to " + d);
        }
        if (d == s || positions == 0) {
            return;
        }
        long bytes = (long) positions * s.headDim * Float.BYTES;
        pool.run(s.nLayer, (layer, worker) -> {
            for (int h = 0; h < s.nHead; h++) {
                MemorySegment.copy(s.keys, s.base(layer, h) * Float.BYTES, d.keys, d.base(layer, h) * Float.BYTES,
                        bytes);
                MemorySegment.copy(s.values, s.base(layer, h) * Float.BYTES, d.values,
                        d.base(layer, h) * Float.BYTES, bytes);
            }
        });
    }

    @Override
    public void attention(Tensor out, Tensor qkv, int layer, AttentionBatch batch) {
        CpuTensor o = CpuTensor.of(out);
        CpuTensor a = CpuTensor.of(qkv);
        int c = o.cols();
        int rows = batch.rows();
        if (a.cols() != 3 * c || rows > a.rows() || rows > o.rows()) {
            throw new IllegalArgumentException("attention shapes: out " + o + ", qkv " + a + ", " + rows + " rows");
        }
        List<AttentionBatch.Slice> slices = batch.slices();
        BlasCache[] of = new BlasCache[slices.size()];
        for (int i = 0; i < of.length; i++) {
            BlasCache cache = cache(slices.get(i).cache());
            if (cache.nHead * cache.headDim != c || layer < 0 || layer >= cache.nLayer) {
                throw new IllegalArgumentException("attention of layer " + layer + " with C = " + c + " over " + cache);
            }
            of[i] = cache;
        }
        Mat outs = Mat.of(o.data(), c);
        Mat in = Mat.of(a.data(), 3 * c);
        List<int[]> tasks = new ArrayList<>();   // {slice, head}
        for (int i = 0; i < of.length; i++) {
            for (int h = 0; h < of[i].nHead; h++) {
                tasks.add(new int[] {i, h});
            }
        }
        pool.run(tasks.size(), (t, worker) -> {
            AttentionBatch.Slice s = slices.get(tasks.get(t)[0]);
            BlasCache cache = of[tasks.get(t)[0]];
            int h = tasks.get(t)[1];
            int hd = cache.headDim;
            Mat keys = cache.keys(layer, h);
            Mat values = cache.values(layer, h);
            for (int i = 0; i < s.rows(); i++) {   // this pass's keys and values, into the cache
                long row = (long) (s.firstRow() + i) * 3 * c;
                long to = (keys.offset() + (long) (s.pastLength() + i) * hd) * Float.BYTES;
                MemorySegment.copy(a.data(), (row + c + (long) h * hd) * Float.BYTES, keys.data(), to,
                        (long) hd * Float.BYTES);
                MemorySegment.copy(a.data(), (row + 2L * c + (long) h * hd) * Float.BYTES, values.data(), to,
                        (long) hd * Float.BYTES);
            }
            BlasAttention.head(outs.at(s.firstRow(), (long) h * hd), in.at(s.firstRow(), (long) h * hd), keys,
                    false, values, s.rows(), s.pastLength(), hd, (float) (1 / Math.sqrt(hd)),
                    scratch(worker, BlasAttention.scratchFloats(s.rows(), s.pastLength())));
        });
    }

    /** Worker {@code worker}'s scratch, at least {@code floats} long; inside a pool loop, which runs alone. */
    private MemorySegment scratch(int worker, long floats) {
        MemorySegment s = scratch[worker];
        if (s == null || s.byteSize() < floats * Float.BYTES) {
            s = scratchArena.allocate(floats * Float.BYTES, 64);
            scratch[worker] = s;
        }
        return s;
    }

    @Override
    public void close() {
        cpu.close();
        for (BlasCache c : List.copyOf(caches)) {
            c.close();
        }
        if (scratchArena.scope().isAlive()) {
            scratchArena.close();
        }
    }

    private static BlasCache cache(KvCache c) {
        if (c instanceof BlasCache cache) {
            return cache;
        }
        throw new IllegalArgumentException("not a cache of the openblas backend: " + c + "; pass only caches this"
                + " backend made");
    }
}
