package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.gpt2.backend.vector.cpu.ScalarKernels.F32;

/**
 * A complete {@link Backend} on the CPU: tensors and KV caches in off-heap {@link MemorySegment}s, embeddings, layer
 * norm and attention on the {@link Simd} kernels, all parallel on one {@link ComputePool}; the two big products
 * (matmul and logits) delegated to a pluggable {@link MatmulEngine}.
 *
 * <p><b>Weights</b> are held as F32, F16, BF16 or Q8_0 (the {@code storeAs} of {@link #upload}; vectors always F32),
 * in the layouts {@link CpuTensor} describes, and converted to F32 inside the kernels, value by value, just before
 * they are used: nothing is ever widened into a copy. Weights are converted into memory of the backend's own, on
 * huge pages where {@link HugePages} can have them (Q8_0 always: {@link WeightFormats#quantizeQ8Block} at upload,
 * from any dtype). A weight already in the dtype it is held in, whose bytes are off-heap and aligned to its values
 * (a slice of a mapped checkpoint), is used in place when huge pages are off or it is small; when they are on, it
 * is copied onto them, since decode streams it every step (a mapped file stays on 4 KiB pages).
 *
 * <p><b>KV cache.</b> Keys transposed per head ({@code [layer][head][d][position]}) and values per head
 * ({@code [layer][head][position][d]}), so one query scans contiguous memory.
 *
 * <p><b>Attention</b> is fused: per query row and head, the scores of its positions live in a scratch row (no
 * [T, T] matrix), then softmax and the weighted sum of values. Each row's arithmetic depends only on its own query
 * and its sequence's cache, so with a batch-invariant engine the whole backend is batch-invariant. An engine may
 * take a sequence's attention over ({@link MatmulEngine#attention}) once its keys and values are in the cache.
 */
public final class CpuBackend implements Backend {
    /** Floats of work below which a kernel runs on one thread. */
    private static final int MIN_PARALLEL_WORK = 1 << 14;
    /** Query rows per attention task. */
    private static final int ATTENTION_ROWS = 8;
    /** Weight values converted per task when uploading. */
    private static final int CONVERT_CHUNK = 1 << 16;

    private final String name;
    private final Simd simd;
    private final Kernels kernels;
    private final ComputePool pool;
    private final MatmulEngine engine;
    private final Set<AutoCloseable> owned = ConcurrentHashMap.newKeySet();
    private final Scratch queries;
    private final Scratch scores;
    private final Scratch uploadScratch;
    private final Scratch embedRows;

    /**
     * Opens a CPU backend and starts its threads.
     *
     * @param name   the provider's name ({@link #name()})
     * @param config the thread count
     * @param simd   the inner loops ({@link Simd#fromProperty()} normally)
     * @param engine makes the matmul and logits engine ({@code VectorMatmul::new} for pure Java)
     */
    public CpuBackend(String name, BackendConfig config, Simd simd, MatmulEngine.Factory engine) {
        this.name = Objects.requireNonNull(name, "name");
        this.simd = Objects.requireNonNull(simd, "simd");
        this.kernels = simd.kernels();
        this.pool = new ComputePool(config.effectiveThreads(), name);
        this.engine = engine.create(pool, simd);
        this.queries = new Scratch(pool.threads());
        this.scores = new Scratch(pool.threads());
        this.uploadScratch = new Scratch(pool.threads());
        this.embedRows = new Scratch(pool.threads());
    }

    /**
     * A CPU backend's device in words for its probe: the CPU, its processors, {@code engines} (which kernels) and
     * whether weights go on huge pages.
     */
    public static String device(String engines) {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " processors, " + engines
                + ", huge pages " + HugePages.status();
    }

    /**
     * A CPU backend's capabilities: its own threads, {@code extra}, and zero-copy weights unless huge pages are on
     * (then large F32 weights are copied onto them).
     */
    public static EnumSet<Capability> capabilities(Capability... extra) {
        EnumSet<Capability> c = EnumSet.of(Capability.MULTI_THREADED, extra);
        if (!HugePages.enabled()) {
            c.add(Capability.ZERO_COPY_WEIGHTS);
        }
        return c;
    }

    /** The CPU's model name ("AMD EPYC 9R14"), from /proc/cpuinfo where there is one, else the architecture. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture below says enough
        }
        return System.getProperty("os.arch") + " CPU";
    }

    @Override
    public String name() {
        return name;
    }

    /** The pool this backend computes on (for measurements beside it). */
    ComputePool pool() {
        return pool;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("threads", Integer.toString(pool.threads()));
        m.put("kernels", simd.describe());
        m.put("matmul", engine.describe());
        m.put("batch invariant", Boolean.toString(engine.batchInvariant()));
        m.put("huge pages", HugePages.status());
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        return m;
    }

    // ---- memory -----------------------------------------------------------------------------------------------------

    @Override
    public Tensor upload(WeightView weight, WeightRole role, DType storeAs) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(storeAs, "storeAs");
        DType held = role == WeightRole.VECTOR ? DType.F32 : storeAs;
        if (held == DType.Q8_0) {
            return quantize(weight, role == WeightRole.MATMUL);
        }
        MemorySegment src = weight.data();
        int size = held.bits() / Byte.SIZE;
        long n = (long) weight.rows() * weight.cols();
        if (weight.dtype() == held && src.isNative() && src.address() % size == 0 && !HugePages.covers(n * size)) {
            return new CpuTensor(held, weight.rows(), weight.cols(), src, null, null);
        }
        CpuTensor t = newTensor(held, weight.rows(), weight.cols());
        MemorySegment dst = t.data();
        int chunks = (int) ((n + CONVERT_CHUNK - 1) / CONVERT_CHUNK);
        if (weight.dtype() == held) {
            pool.run(chunks, (c, worker) -> {
                long from = (long) c * CONVERT_CHUNK * size;
                MemorySegment.copy(src, from, dst, from, Math.min((long) CONVERT_CHUNK * size, n * size - from));
            });
            return t;
        }
        pool.run(chunks, (c, worker) -> {
            long from = (long) c * CONVERT_CHUNK;
            int count = (int) Math.min(CONVERT_CHUNK, n - from);
            float[] values = uploadScratch.get(worker, count);
            readFloats(weight, from, values, 0, count);
            for (int i = 0; i < count; i++) {
                float v = values[i];
                switch (held) {
                    case F32 -> dst.setAtIndex(F32, from + i, v);
                    case F16 -> dst.setAtIndex(ScalarKernels.I16, from + i, WeightFormats.floatToF16(v));
                    case BF16 -> dst.setAtIndex(ScalarKernels.I16, from + i, WeightFormats.floatToBf16(v));
                    case Q8_0 -> throw new AssertionError("Q8_0 is quantized above");
                }
            }
        });
        return t;
    }

    /**
     * A weight quantized to Q8_0 by {@link WeightFormats#quantizeQ8Block}, in the layout {@link CpuTensor} describes:
     * blocks of 32 down the rows of a matmul weight [K, N] ({@code alongRows}), along the rows of an embedding.
     */
    private CpuTensor quantize(WeightView weight, boolean alongRows) {
        int rows = weight.rows();
        int cols = weight.cols();
        int block = DType.Q8_BLOCK;
        long scaleCount = alongRows ? (long) ((rows + block - 1) / block) * cols
                : (long) rows * ((cols + block - 1) / block);
        Arena arena = Arena.ofShared();
        MemorySegment q = HugePages.allocate(arena, CpuTensor.q8Bytes(rows, cols));
        MemorySegment scales = HugePages.allocate(arena, scaleCount * Float.BYTES);
        CpuTensor t = new CpuTensor(rows, cols, q, scales, alongRows, arena, owned);
        owned.add(t);
        // tasks of whole blocks: a band of 32 rows of a matmul weight, or rows of an embedding
        int rowsPerTask = alongRows ? block : Math.max(1, CONVERT_CHUNK / cols);
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        pool.run(tasks, (task, worker) -> {
            int r0 = task * rowsPerTask;
            int count = Math.min(rowsPerTask, rows - r0);
            float[] values = uploadScratch.get(worker, count * cols);
            readFloats(weight, (long) r0 * cols, values, 0, count * cols);
            byte[] quantized = new byte[Math.max(count, cols)];
            if (alongRows) {
                for (int c = 0; c < cols; c++) {
                    float scale = WeightFormats.quantizeQ8Block(values, c, cols, count, quantized, 0);
                    scales.setAtIndex(F32, t.scaleIndex(r0, c), scale);
                    for (int i = 0; i < count; i++) {
                        q.set(ValueLayout.JAVA_BYTE, CpuTensor.q8Offset(r0 + i, c, cols), quantized[i]);
                    }
                }
            } else {
                for (int r = r0; r < r0 + count; r++) {
                    for (int c0 = 0; c0 < cols; c0 += block) {
                        float scale = WeightFormats.quantizeQ8Block(values, (r - r0) * cols + c0, 1,
                                Math.min(block, cols - c0), quantized, c0);
                        scales.setAtIndex(F32, t.scaleIndex(r, c0), scale);
                    }
                    for (int c = 0; c < cols; c++) {
                        q.set(ValueLayout.JAVA_BYTE, CpuTensor.q8Offset(r, c, cols), quantized[c]);
                    }
                }
            }
        });
        return t;
    }

    /** Values {@code [from, from + count)} of {@code weight} (row-major), as F32, into {@code dst[off ..]}. */
    private static void readFloats(WeightView weight, long from, float[] dst, int off, int count) {
        if (weight.dtype() == DType.F32) {
            MemorySegment.copy(weight.data(), F32, from * Float.BYTES, dst, off, count);
            return;
        }
        for (int i = 0; i < count; i++) {
            dst[off + i] = WeightFormats.get(weight.data(), weight.dtype(), from + i);
        }
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor shape must be positive, got " + rows + " x " + cols);
        }
        return newTensor(DType.F32, rows, cols);
    }

    private CpuTensor newTensor(DType dtype, int rows, int cols) {
        Arena arena = Arena.ofShared();
        MemorySegment data = HugePages.allocate(arena, (long) rows * cols * (dtype.bits() / Byte.SIZE));
        CpuTensor t = new CpuTensor(dtype, rows, cols, data, arena, owned);
        owned.add(t);
        return t;
    }

    @Override
    public KvCache allocateCache(int nLayer, int nHead, int headDim, int capacity) {
        CpuCache cache = new CpuCache(nLayer, nHead, headDim, capacity, owned);
        owned.add(cache);
        return cache;
    }

    @Override
    public void copyCache(KvCache dst, KvCache src, int positions) {
        CpuCache d = cache(dst);
        CpuCache s = cache(src);
        if (d.nLayer != s.nLayer || d.nHead != s.nHead || d.headDim != s.headDim) {
            throw new IllegalArgumentException("copyCache needs caches of one shape: " + s + " to " + d);
        }
        if (positions < 0 || positions > s.capacity || positions > d.capacity) {
            throw new IllegalArgumentException("copyCache of " + positions + " positions from " + s + " to " + d);
        }
        if (d == s || positions == 0) {
            return;
        }
        long posBytes = (long) positions * Float.BYTES;
        pool.run(s.nLayer, (layer, worker) -> {
            for (int h = 0; h < s.nHead; h++) {
                long sk = s.keyBase(layer, h);
                long dk = d.keyBase(layer, h);
                for (int i = 0; i < s.headDim; i++) {
                    MemorySegment.copy(s.keys, (sk + (long) i * s.keyStride) * Float.BYTES, d.keys,
                            (dk + (long) i * d.keyStride) * Float.BYTES, posBytes);
                }
                MemorySegment.copy(s.values, s.valueBase(layer, h) * Float.BYTES, d.values,
                        d.valueBase(layer, h) * Float.BYTES, posBytes * s.headDim);
            }
        });
    }

    @Override
    public void write(Tensor dst, float[] src) {
        CpuTensor t = tensor(dst);
        if (t.borrowed()) {
            throw new IllegalArgumentException("cannot write " + t + ": it is a weight used in place");
        }
        if (src.length % t.cols() != 0 || src.length / t.cols() > t.rows()) {
            throw new IllegalArgumentException("write of " + src.length + " values into " + t + ": need whole rows of "
                    + t.cols() + ", at most " + t.rows());
        }
        MemorySegment.copy(src, 0, t.data(), F32, 0, src.length);
    }

    @Override
    public void read(Tensor src, int firstRow, int rows, float[] dst) {
        CpuTensor t = tensor(src);
        long count = (long) rows * t.cols();
        if (firstRow < 0 || rows < 0 || firstRow + rows > t.rows() || dst.length < count) {
            throw new IllegalArgumentException("read of rows [" + firstRow + ", " + (firstRow + rows) + ") of " + t
                    + " into " + dst.length + " floats");
        }
        MemorySegment.copy(t.data(), F32, (long) firstRow * t.cols() * Float.BYTES, dst, 0, (int) count);
    }

    // ---- kernels ----------------------------------------------------------------------------------------------------

    @Override
    public void embed(Tensor out, Tensor wte, Tensor wpe, int[] ids, int[] positions) {
        CpuTensor o = tensor(out);
        CpuTensor e = tensor(wte);
        CpuTensor p = tensor(wpe);
        int c = o.cols();
        int r = ids.length;
        if (positions.length != r || r > o.rows() || e.cols() != c || p.cols() != c) {
            throw new IllegalArgumentException("embed shapes: out " + o + ", wte " + e + ", wpe " + p + ", "
                    + r + " ids, " + positions.length + " positions");
        }
        for (int i = 0; i < r; i++) {
            if (ids[i] < 0 || ids[i] >= e.rows()) {
                throw new IllegalArgumentException("token id " + ids[i] + " at " + i + " is outside the vocabulary [0, "
                        + e.rows() + ")");
            }
            if (positions[i] < 0 || positions[i] >= p.rows()) {
                throw new IllegalArgumentException("position " + positions[i] + " at " + i + " is outside [0, "
                        + p.rows() + ")");
            }
        }
        parallelRows(r, c, (from, to, worker) -> {
            float[] sum = embedRows.get(worker, 2 * c);
            for (int i = from; i < to; i++) {
                kernels.toFloats(sum, 0, e, ids[i], 0, c);
                kernels.toFloats(sum, c, p, positions[i], 0, c);
                for (int j = 0; j < c; j++) {
                    sum[j] += sum[c + j];
                }
                MemorySegment.copy(sum, 0, o.data(), F32, (long) i * c * Float.BYTES, c);
            }
        });
    }

    @Override
    public void layerNorm(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, float eps) {
        CpuTensor o = tensor(out);
        CpuTensor x = tensor(in);
        CpuTensor g = tensor(weight);
        CpuTensor b = tensor(bias);
        int c = x.cols();
        if (rows < 0 || rows > x.rows() || rows > o.rows() || o.cols() != c || (long) g.rows() * g.cols() != c
                || (long) b.rows() * b.cols() != c) {
            throw new IllegalArgumentException("layerNorm shapes: " + rows + " rows, out " + o + ", in " + x
                    + ", weight " + g + ", bias " + b);
        }
        parallelRows(rows, c, (from, to, worker) -> {
            for (int i = from; i < to; i++) {
                kernels.layerNorm(o.data(), (long) i * c, x.data(), (long) i * c, g.data(), b.data(), c, eps);
            }
        });
    }

    @Override
    public void matmul(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, Epilogue epilogue) {
        CpuTensor o = tensor(out);
        CpuTensor x = tensor(in);
        CpuTensor w = tensor(weight);
        CpuTensor b = tensor(bias);
        Objects.requireNonNull(epilogue, "epilogue");
        int k = w.rows();
        int n = w.cols();
        if (o == x || rows < 0 || rows > x.rows() || rows > o.rows() || x.cols() != k || o.cols() != n
                || (long) b.rows() * b.cols() != n) {
            throw new IllegalArgumentException("matmul shapes: " + rows + " rows, out " + o + ", in " + x + ", weight "
                    + w + ", bias " + b + (o == x ? " (out must not be in)" : ""));
        }
        if (w.dtype() == DType.Q8_0 && !w.blocksAlongRows()) {
            throw new IllegalArgumentException("matmul weight " + w + " was quantized as an embedding: upload it with"
                    + " WeightRole.MATMUL");
        }
        if (rows > 0) {
            engine.matmul(o, x, rows, w, b, epilogue);
        }
    }

    @Override
    public void attention(Tensor out, Tensor qkv, int layer, AttentionBatch batch) {
        CpuTensor o = tensor(out);
        CpuTensor a = tensor(qkv);
        int c = o.cols();
        int rows = batch.rows();
        if (a.cols() != 3 * c || rows > a.rows() || rows > o.rows()) {
            throw new IllegalArgumentException("attention shapes: out " + o + ", qkv " + a + ", " + rows + " rows");
        }
        List<AttentionBatch.Slice> slices = batch.slices();
        CpuCache[] caches = new CpuCache[slices.size()];
        for (int i = 0; i < caches.length; i++) {
            CpuCache cache = cache(slices.get(i).cache());
            if (cache.nHead * cache.headDim != c || layer < 0 || layer >= cache.nLayer) {
                throw new IllegalArgumentException("attention of layer " + layer + " with C = " + c + " over " + cache);
            }
            caches[i] = cache;
        }
        MemorySegment qkvData = a.data();
        pool.run(caches.length, (i, worker) -> storeKeysValues(qkvData, c, layer, slices.get(i), caches[i]));

        // the engine takes the slices it wants; the rest run here in tasks: for each slice, for each head, chunks of
        // ATTENTION_ROWS rows; firstTask[i] is slice i's first
        int[] firstTask = new int[caches.length + 1];
        for (int i = 0; i < caches.length; i++) {
            boolean taken = engine.attention(o, a, layer, slices.get(i), caches[i]);
            int chunks = taken ? 0 : (slices.get(i).rows() + ATTENTION_ROWS - 1) / ATTENTION_ROWS;
            firstTask[i + 1] = firstTask[i] + caches[i].nHead * chunks;
        }
        MemorySegment outData = o.data();
        pool.run(firstTask[caches.length], (t, worker) -> {
            int i = 0;
            while (firstTask[i + 1] <= t) {
                i++;
            }
            AttentionBatch.Slice s = slices.get(i);
            CpuCache cache = caches[i];
            int chunks = (s.rows() + ATTENTION_ROWS - 1) / ATTENTION_ROWS;
            int h = (t - firstTask[i]) / chunks;
            int from = (t - firstTask[i]) % chunks * ATTENTION_ROWS;
            int hd = cache.headDim;
            float scale = (float) (1 / Math.sqrt(hd));
            int n = Math.min(s.rows(), from + ATTENTION_ROWS) - from;
            float[] q = queries.get(worker, ATTENTION_ROWS * hd);
            float[] sc = scores.get(worker,
                    ATTENTION_ROWS * (cache.capacity + ATTENTION_ROWS + Kernels.ATTEND_SCRATCH_EXTRA));
            long first = s.firstRow() + from;
            for (int r = 0; r < n; r++) {
                MemorySegment.copy(qkvData, ScalarKernels.F32, ((first + r) * 3 * c + (long) h * hd) * Float.BYTES,
                        q, r * hd, hd);
            }
            kernels.attendRows(outData, first * c + (long) h * hd, c, q, n, cache.keys, cache.keyBase(layer, h),
                    cache.values, cache.valueBase(layer, h), cache.keyStride, hd, s.pastLength() + from + 1, scale,
                    sc);
        });
    }

    /**
     * Puts a slice's new keys (transposed) and values into its cache at positions {@code pastLength ..}. The keys go
     * head by head and component by component, so that the stores run along the positions of a key row.
     */
    private static void storeKeysValues(MemorySegment qkv, int c, int layer, AttentionBatch.Slice s, CpuCache cache) {
        int hd = cache.headDim;
        long firstRow = (long) s.firstRow() * 3 * c;
        for (int h = 0; h < cache.nHead; h++) {
            long keyBase = cache.keyBase(layer, h) + s.pastLength();
            for (int d = 0; d < hd; d++) {
                long from = firstRow + c + (long) h * hd + d;
                long to = keyBase + (long) d * cache.keyStride;
                for (int i = 0; i < s.rows(); i++) {
                    ScalarKernels.set(cache.keys, to + i, ScalarKernels.get(qkv, from + (long) i * 3 * c));
                }
            }
            long valueBase = cache.valueBase(layer, h) + (long) s.pastLength() * hd;
            for (int i = 0; i < s.rows(); i++) {
                MemorySegment.copy(qkv, (firstRow + (long) i * 3 * c + 2L * c + (long) h * hd) * Float.BYTES,
                        cache.values, (valueBase + (long) i * hd) * Float.BYTES, (long) hd * Float.BYTES);
            }
        }
    }

    @Override
    public void logits(Tensor out, Tensor hidden, int[] rows, Tensor wte) {
        CpuTensor o = tensor(out);
        CpuTensor h = tensor(hidden);
        CpuTensor e = tensor(wte);
        if (h.cols() != e.cols() || o.cols() != e.rows() || rows.length > o.rows()) {
            throw new IllegalArgumentException("logits shapes: out " + o + ", hidden " + h + ", wte " + e + ", "
                    + rows.length + " rows");
        }
        for (int r : rows) {
            if (r < 0 || r >= h.rows()) {
                throw new IllegalArgumentException("logits of row " + r + " of " + h);
            }
        }
        if (rows.length > 0) {
            engine.logits(o, h, rows, e);
        }
    }

    @Override
    public Optional<DeviceLimits> measureLimits(Duration budget) {
        return Optional.of(Limits.measure(pool, budget));
    }

    @Override
    public void close() {
        pool.close();
        for (AutoCloseable c : List.copyOf(owned)) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c + " failed: " + e.getMessage(), e);
            }
        }
        owned.clear();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** A range of rows for one task, on worker {@code worker} of the pool. */
    @FunctionalInterface
    private interface RowRange {
        void run(int from, int to, int worker);
    }

    /** Splits {@code rows} rows of {@code cols} floats among the threads, or runs them on one if there is little. */
    private void parallelRows(int rows, int cols, RowRange body) {
        long work = (long) rows * cols;
        int tasks = work < MIN_PARALLEL_WORK ? 1 : Math.min(rows, pool.threads() * 4);
        pool.run(tasks, (t, worker) ->
                body.run((int) ((long) rows * t / tasks), (int) ((long) rows * (t + 1) / tasks), worker));
    }

    private static CpuTensor tensor(Tensor t) {
        return CpuTensor.of(Objects.requireNonNull(t, "tensor"));
    }

    private static CpuCache cache(KvCache c) {
        if (c instanceof CpuCache cache) {
            return cache;
        }
        throw new IllegalArgumentException("not a cache of a CPU backend: " + c + "; pass only caches this backend"
                + " made");
    }
}
