package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.HostSampler;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.TokenChoice;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GPT-2's kernels on an NVIDIA GPU. Weights are uploaded once (matmul weights transposed to [N, K], so that each
 * output's weights are contiguous); activations and KV caches live in device memory; each call records its kernels on
 * the calling thread's {@link Lane}, and only {@link #read}, {@link #chooseTokens}, {@link #tokenLogProbs} (and the
 * bulk copies) wait for the GPU. Matmuls of up to {@value Kernel#GEMV_MAX_ROWS} rows (decode) run on this backend's
 * GEMV kernels, which read each weight once and fuse bias and epilogue; larger ones run on cuBLAS as
 * {@link MatmulPrecision} says (by default FP32-accurate: FP32 for F32 weights, three tensor-core products for
 * F16 / BF16 weights).
 *
 * <p>System properties: {@value MatmulPrecision#PROPERTY} ({@code exact} or {@code fast}),
 * {@value #GRAPHS_PROPERTY} (default true: replay repeated kernel sequences, such as decode steps, as CUDA graphs) and
 * {@value #DEBUG_PROPERTY} (default false: wait after every kernel and name the one that failed).
 */
final class CudaBackend implements Backend {
    /** Whether repeated kernel sequences are replayed as CUDA graphs. */
    static final String GRAPHS_PROPERTY = "gpt2.cuda.graphs";
    /** Whether to wait after every kernel and name the one that failed (slow; for diagnosing device errors). */
    static final String DEBUG_PROPERTY = "gpt2.cuda.debug";

    static final int DTYPE_F32 = 0;
    static final int DTYPE_F16 = 1;
    static final int DTYPE_BF16 = 2;

    private static final int MAX_HEAD_SIZE = 128;
    private static final int ATTENTION_CHUNK = 64;
    private static final int ATTENTION_TILE = 64;
    private static final int DECODE_MAX_SLICE_ROWS = 8;
    private static final int SLICE_BYTES = 32;
    private static final int CHOICE_BYTES = 32;
    /** The most shared memory a GEMV that applies its input's layer norm may use (no opt-in needed up to 48 KiB). */
    private static final int FUSED_NORM_SHARED_BYTES = 48 * 1024;

    private final CudaRuntime runtime;
    private final CudaDriver driver;
    private final MemorySegment context;
    private final DeviceMemory memory;
    private final KernelModule module;
    private final MatmulPrecision precision;
    private final boolean graphs;
    private final boolean debug;
    private final ThreadLocal<Lane> lanes = new ThreadLocal<>();
    private final List<Lane> allLanes = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Opens the backend on device 0 of {@code runtime}.
     *
     * @param cache where compiled kernels are kept ({@link KernelCache#defaultDir})
     */
    CudaBackend(CudaRuntime runtime, KernelCache cache) {
        this.runtime = runtime;
        this.driver = runtime.driver();
        CudaRuntime.Device device = runtime.device();
        this.precision = MatmulPrecision.parse(System.getProperty(MatmulPrecision.PROPERTY));
        this.context = driver.retainPrimaryContext(device.handle());
        driver.setCurrent(context);
        this.memory = new DeviceMemory(driver);
        this.graphs = Boolean.parseBoolean(System.getProperty(GRAPHS_PROPERTY, "true"));
        this.debug = Boolean.parseBoolean(System.getProperty(DEBUG_PROPERTY, "false"));
        try {
            this.module = KernelModule.load(driver, runtime.nvrtc(), cache, device.major(), device.minor(),
                    device.sharedOptIn());
        } catch (RuntimeException e) {
            driver.releasePrimaryContext(device.handle());
            throw e;
        }
    }

    @Override
    public String name() {
        return CudaProvider.NAME;
    }

    @Override
    public Map<String, String> describe() {
        Lane lane = lane();
        CudaRuntime.Device d = runtime.device();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("device", d.describe());
        out.put("memory bandwidth (spec)", String.format(Locale.ROOT, "%.0f GB/s", d.specBandwidth() / 1e9));
        out.put("driver", "CUDA " + CudaRuntime.versionText(runtime.driverVersion()) + " (" + driver.location() + ")");
        out.put("cuBLAS", runtime.cublas().version(lane.cublasHandle()) + " (" + runtime.cublas().location() + ")");
        out.put("NVRTC", runtime.nvrtc().version() + " (" + runtime.nvrtc().location() + ")");
        out.put("kernels", module.image());
        out.put("matmuls above " + Kernel.GEMV_MAX_ROWS + " rows", precision + " (" + MatmulPrecision.PROPERTY + ")");
        out.put("CUDA graphs", lane.graphState());
        out.put("debug", debug ? "on: every kernel waited for (" + DEBUG_PROPERTY + ")" : "off");
        out.put("device memory held", DeviceMemory.mib(memory.bytesHeld()));
        return out;
    }

    // ---- memory --------------------------------------------------------------------------------------------------

    @Override
    public Tensor upload(WeightView weight, WeightRole role, DType storeAs) {
        DType held = role == WeightRole.VECTOR ? DType.F32 : storeAs;
        if (held == DType.Q8_0) {
            throw new IllegalArgumentException("the cuda backend holds weights as f32, f16 or bf16, not " + held
                    + " (" + weight.name() + "): choose one of those dtypes");
        }
        Lane lane = lane();
        int rows = weight.rows();
        int cols = weight.cols();
        long count = (long) rows * cols;
        boolean transpose = role == WeightRole.MATMUL;
        long dst = memory.allocate(count * (held.bits() / 8), weight.name());
        try {
            if (!transpose && weight.dtype() == held) {
                lane.copyToDevice(dst, weight.data());
            } else {
                long staging = memory.allocate(weight.data().byteSize(), "uploading " + weight.name());
                try {
                    lane.copyToDevice(staging, weight.data());
                    if (transpose) {
                        lane.launch(Kernel.CONVERT_TRANSPOSE, ceilDiv(cols, 32), ceilDiv(rows, 32), 1, 256, 0,
                                new KernelArgs().ptr(dst).i32(code(held)).ptr(staging).i32(code(weight.dtype()))
                                        .i32(rows).i32(cols));
                    } else {
                        lane.launch(Kernel.CONVERT, gridFor(count), 1, 1, 256, 0, new KernelArgs().ptr(dst)
                                .i32(code(held)).ptr(staging).i32(code(weight.dtype())).i64(count));
                    }
                    lane.sync();
                } finally {
                    memory.free(staging);
                }
            }
        } catch (RuntimeException e) {
            memory.free(dst);
            throw e;
        }
        return new CudaTensor(this, dst, held, rows, cols, transpose, false);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor shape must be positive, got " + rows + " x " + cols);
        }
        lane();
        long ptr = memory.take(4L * rows * cols, "activations of " + rows + " x " + cols);
        return new CudaTensor(this, ptr, DType.F32, rows, cols, false, true);
    }

    @Override
    public KvCache allocateCache(int nLayer, int nHead, int headDim, int capacity) {
        if (nLayer <= 0 || nHead <= 0 || headDim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("cache shape must be positive, got " + nLayer + " layers, " + nHead
                    + " heads of " + headDim + ", capacity " + capacity);
        }
        lane();
        long bytes = 4L * nLayer * 2 * nHead * capacity * headDim;
        long ptr = memory.take(bytes, "a KV cache of " + capacity + " positions");
        return new CudaCache(this, ptr, nLayer, nHead, headDim, capacity);
    }

    @Override
    public void copyCache(KvCache dst, KvCache src, int positions) {
        CudaCache d = cache(dst);
        CudaCache s = cache(src);
        if (d.nLayer != s.nLayer || d.nHead != s.nHead || d.headDim != s.headDim) {
            throw new IllegalArgumentException("caches of different shapes: " + d + " and " + s);
        }
        if (positions < 0 || positions > d.capacity || positions > s.capacity) {
            throw new IllegalArgumentException("cannot copy " + positions + " positions between caches of capacity "
                    + s.capacity + " and " + d.capacity);
        }
        if (positions == 0) {
            return;
        }
        lane().launch(Kernel.CACHE_COPY, d.nLayer * 2 * d.nHead, 1, 1, 256, 0, new KernelArgs().ptr(d.ptr)
                .ptr(s.ptr).i32(d.capacity).i32(s.capacity).i32(positions).i32(d.headDim));
    }

    @Override
    public void write(Tensor dst, float[] src) {
        CudaTensor t = activation(dst);
        if (src.length % t.cols != 0 || src.length > (long) t.rows * t.cols) {
            throw new IllegalArgumentException("cannot write " + src.length + " values as whole rows of " + t);
        }
        lane().copyToDevice(t.ptr, MemorySegment.ofArray(src));
    }

    @Override
    public void read(Tensor src, int firstRow, int rows, float[] dst) {
        CudaTensor t = activation(src);
        if (firstRow < 0 || rows < 0 || firstRow + rows > t.rows || dst.length < (long) rows * t.cols) {
            throw new IllegalArgumentException("cannot read rows [" + firstRow + ", " + (firstRow + rows) + ") of " + t
                    + " into " + dst.length + " values");
        }
        lane().copyToHost(MemorySegment.ofArray(dst).asSlice(0, 4L * rows * t.cols), t.ptr + 4L * firstRow * t.cols);
    }

    // ---- kernels -------------------------------------------------------------------------------------------------

    @Override
    public void embed(Tensor out, Tensor wte, Tensor wpe, int[] ids, int[] positions) {
        CudaTensor o = activation(out);
        CudaTensor e = tensor(wte);
        CudaTensor p = tensor(wpe);
        int r = ids.length;
        int c = o.cols;
        if (positions.length != r || r > o.rows || e.cols != c || p.cols != c) {
            throw new IllegalArgumentException("embed shapes: " + r + " ids, " + positions.length + " positions, out "
                    + o + ", wte " + e + ", wpe " + p);
        }
        for (int i = 0; i < r; i++) {
            if (ids[i] < 0 || ids[i] >= e.rows) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary [0, " + e.rows
                        + ")");
            }
            if (positions[i] < 0 || positions[i] >= p.rows) {
                throw new IllegalArgumentException("position " + positions[i] + " is outside the context [0, "
                        + p.rows + ")");
            }
        }
        if (r == 0) {
            return;
        }
        Lane lane = lane();
        long idsAt = lane.payload(8L * r, s -> {
            MemorySegment.copy(ids, 0, s, ValueLayout.JAVA_INT, 0, r);
            MemorySegment.copy(positions, 0, s, ValueLayout.JAVA_INT, 4L * r, r);
        });
        lane.launch(Kernel.EMBED, r, 1, 1, 256, 0, new KernelArgs().ptr(o.ptr).ptr(e.ptr).i32(code(e.dtype))
                .ptr(p.ptr).i32(code(p.dtype)).ptr(idsAt).ptr(idsAt + 4L * r).i32(c));
    }

    @Override
    public void layerNorm(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, float eps) {
        CudaTensor o = activation(out);
        CudaTensor x = activation(in);
        CudaTensor g = tensor(weight);
        CudaTensor b = tensor(bias);
        int c = x.cols;
        if (o.cols != c || g.cols != c || b.cols != c || rows < 0 || rows > x.rows || rows > o.rows) {
            throw new IllegalArgumentException("layer norm shapes: out " + o + ", in " + x + ", rows " + rows
                    + ", weight " + g + ", bias " + b);
        }
        if (rows == 0) {
            return;
        }
        Lane lane = lane();
        Lane.PendingNorm norm = new Lane.PendingNorm(o.ptr, x.ptr, rows, c, g.ptr, b.ptr, eps);
        if (rows <= Kernel.GEMV_MAX_ROWS && o != x && 4L * rows * c <= FUSED_NORM_SHARED_BYTES) {
            lane.pending = norm;
        } else {
            launchNorm(lane, norm);
        }
    }

    private static void launchNorm(Lane lane, Lane.PendingNorm n) {
        lane.launch(Kernel.LAYER_NORM, n.rows(), 1, 1, 256, 0, new KernelArgs().ptr(n.out()).ptr(n.in()).ptr(n.weight())
                .ptr(n.bias()).i32(n.cols()).f32(n.eps()));
    }

    @Override
    public void matmul(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, Epilogue epilogue) {
        CudaTensor o = activation(out);
        CudaTensor x = activation(in);
        CudaTensor w = tensor(weight);
        CudaTensor b = tensor(bias);
        int k = w.rows;
        int n = w.cols;
        if (!w.transposed || x.cols != k || o.cols != n || b.cols != n || rows < 0 || rows > x.rows
                || rows > o.rows || o == x) {
            throw new IllegalArgumentException("matmul shapes: out " + o + ", in " + x + ", rows " + rows
                    + ", weight " + w + (w.transposed ? "" : " (not uploaded as WeightRole.MATMUL)") + ", bias "
                    + b);
        }
        if (rows > 0) {
            project(laneKeepingNorm(), o, x.ptr, rows, w, b.ptr, k, n, epilogue);
        }
    }

    /**
     * {@code out [rows, n] = epilogue(x [rows, k] . W + bias)} for a weight held as {@code wt [n, k]}; bias may be 0.
     * When {@code x} is the output of the lane's pending layer norm, the GEMV applies that norm itself.
     */
    private void project(Lane lane, CudaTensor output, long x, int rows, CudaTensor wt, long bias, int k, int n,
                         Epilogue epilogue) {
        long out = output.ptr;
        Lane.PendingNorm norm = lane.pending;
        lane.pending = null;
        if (norm != null) {
            if (rows <= Kernel.GEMV_MAX_ROWS && norm.out() == x && norm.rows() == rows && norm.in() != out
                    && norm.out() != out) {
                lane.launch(Kernel.gemvLayerNorm(wt.dtype, rows), ceilDiv(n, 8), 1, 1, 256, 4 * rows * k,
                        new KernelArgs().ptr(out).ptr(norm.in()).ptr(wt.ptr).ptr(bias).i32(rows).i32(k).i32(n)
                                .i32(epilogue.ordinal()).ptr(norm.out()).ptr(norm.weight()).ptr(norm.bias())
                                .f32(norm.eps()));
                return;
            }
            launchNorm(lane, norm);
        }
        if (rows <= Kernel.GEMV_MAX_ROWS) {
            lane.launch(Kernel.gemv(wt.dtype, rows), ceilDiv(n, 8), 1, 1, 256, 0, new KernelArgs().ptr(out).ptr(x)
                    .ptr(wt.ptr).ptr(bias).i32(rows).i32(k).i32(n).i32(epilogue.ordinal()));
            return;
        }
        boolean accumulate = epilogue == Epilogue.ACCUMULATE;
        if (wt.dtype == DType.F32) {
            lane.gemm(new Op.Gemm(Cublas.OP_T, Cublas.OP_N, n, rows, k, wt.ptr, Cublas.R_32F, k, x, Cublas.R_32F, k,
                    accumulate, out, n, precision == MatmulPrecision.FAST ? Cublas.COMPUTE_32F_FAST_TF32
                    : Cublas.COMPUTE_32F));
        } else {
            // x split in 16-bit parts (hi, mid, lo); the products are summed smallest first, the first one
            // accumulating into out only for the ACCUMULATE epilogue
            long count = (long) rows * k;
            int parts = precision.parts();
            long split = lane.scratch(Lane.Scratch.CAST, 2 * count * parts);
            int type = wt.dtype == DType.F16 ? Cublas.R_16F : Cublas.R_16BF;
            lane.launch(Kernel.SPLIT_16, gridFor(count), 1, 1, 256, 0, new KernelArgs().ptr(split)
                    .i32(code(wt.dtype)).ptr(x).i64(count).i32(parts));
            for (int p = parts - 1; p >= 0; p--) {
                lane.gemm(new Op.Gemm(Cublas.OP_T, Cublas.OP_N, n, rows, k, wt.ptr, type, k, split + 2 * count * p,
                        type, k, accumulate || p < parts - 1, out, n, Cublas.COMPUTE_32F));
            }
        }
        if (bias != 0 || epilogue == Epilogue.GELU) {
            long total = (long) rows * n;
            lane.launch(Kernel.BIAS_EPILOGUE, gridFor(total), 1, 1, 256, 0, new KernelArgs().ptr(out).ptr(bias)
                    .i32(n).i64(total).i32(epilogue == Epilogue.GELU ? 1 : 0));
        }
    }

    @Override
    public void attention(Tensor out, Tensor qkv, int layer, AttentionBatch batch) {
        CudaTensor o = activation(out);
        CudaTensor a = activation(qkv);
        int c = o.cols;
        int r = batch.rows();
        List<AttentionBatch.Slice> slices = batch.slices();
        if (a.cols != 3 * c || r > o.rows || r > a.rows) {
            throw new IllegalArgumentException("attention shapes: out " + o + ", qkv " + a + ", rows " + r);
        }
        if (r == 0) {
            return;
        }
        CudaCache first = cache(slices.getFirst().cache());
        int heads = first.nHead;
        int d = first.headDim;
        int maxSliceRows = 0;
        int maxCapacity = 0;
        for (AttentionBatch.Slice s : slices) {
            CudaCache k = cache(s.cache());
            if (k.nHead != heads || k.headDim != d || heads * d != c || layer < 0 || layer >= k.nLayer) {
                throw new IllegalArgumentException("attention: cache " + k + " does not fit " + c
                        + " columns and layer " + layer);
            }
            maxSliceRows = Math.max(maxSliceRows, s.rows());
            maxCapacity = Math.max(maxCapacity, k.capacity);
        }
        if (d > MAX_HEAD_SIZE) {
            throw new IllegalArgumentException("the cuda backend's attention takes heads of up to " + MAX_HEAD_SIZE
                    + ", not " + d);
        }
        float scale = (float) (1 / Math.sqrt(d));
        int sharedBytes = 4 * (3 * ATTENTION_TILE * (d + 1) + ATTENTION_TILE * 65);
        boolean decode = maxSliceRows <= DECODE_MAX_SLICE_ROWS || sharedBytes > module.maxDynamicShared();
        Lane lane = lane();
        int chunks = ceilDiv(maxCapacity, ATTENTION_CHUNK);
        long part = decode ? lane.scratch(Lane.Scratch.ATTENTION, 4L * r * heads * chunks * (d + 2)) : 0;
        long counters = decode ? lane.scratch(Lane.Scratch.COUNTERS, 4L * r * heads) : 0;
        boolean store = decode && maxSliceRows == 1;
        List<int[]> tiles = decode ? List.of() : tiles(slices);
        int nSlices = slices.size();
        long slicesAt = lane.payload((long) SLICE_BYTES * nSlices + 4L * r + 8L * tiles.size(), seg -> {
            for (int i = 0; i < nSlices; i++) {
                AttentionBatch.Slice s = slices.get(i);
                CudaCache k = cache(s.cache());
                long at = (long) SLICE_BYTES * i;
                seg.set(ValueLayout.JAVA_LONG, at, k.keys(layer));
                seg.set(ValueLayout.JAVA_LONG, at + 8, k.values(layer));
                seg.set(ValueLayout.JAVA_INT, at + 16, s.firstRow());
                seg.set(ValueLayout.JAVA_INT, at + 20, s.rows());
                seg.set(ValueLayout.JAVA_INT, at + 24, s.pastLength());
                seg.set(ValueLayout.JAVA_INT, at + 28, k.capacity);
                for (int j = 0; j < s.rows(); j++) {
                    seg.set(ValueLayout.JAVA_INT, (long) SLICE_BYTES * nSlices + 4L * (s.firstRow() + j), i);
                }
            }
            long tileAt = (long) SLICE_BYTES * nSlices + 4L * r;
            for (int i = 0; i < tiles.size(); i++) {
                seg.set(ValueLayout.JAVA_INT, tileAt + 8L * i, tiles.get(i)[0]);
                seg.set(ValueLayout.JAVA_INT, tileAt + 8L * i + 4, tiles.get(i)[1]);
            }
        });
        long rowSliceAt = slicesAt + (long) SLICE_BYTES * nSlices;
        long tilesAt = rowSliceAt + 4L * r;
        if (!store) {
            lane.launch(Kernel.KV_STORE, r, 1, 1, 128, 0, new KernelArgs().ptr(a.ptr).ptr(slicesAt).ptr(rowSliceAt)
                    .i32(c).i32(d));
        }
        if (decode) {
            lane.launch(Kernel.ATTN_DECODE, chunks, heads, r, 128, 0, new KernelArgs().ptr(o.ptr).ptr(part)
                    .ptr(counters).ptr(a.ptr).ptr(slicesAt).ptr(rowSliceAt).i32(c).i32(d).f32(scale)
                    .i32(store ? 1 : 0));
        } else {
            lane.launch(Kernel.ATTN_PREFILL, tiles.size(), heads, 1, 256, sharedBytes, new KernelArgs().ptr(o.ptr)
                    .ptr(a.ptr).ptr(slicesAt).ptr(tilesAt).i32(c).i32(d).f32(scale));
        }
    }

    /** Query tiles {slice, first row in the slice} of up to 64 rows, the longest causal ranges first. */
    private static List<int[]> tiles(List<AttentionBatch.Slice> slices) {
        List<int[]> tiles = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            for (int row0 = 0; row0 < slices.get(i).rows(); row0 += ATTENTION_TILE) {
                tiles.add(new int[] {i, row0, slices.get(i).pastLength() + row0});
            }
        }
        tiles.sort(Comparator.comparingInt((int[] t) -> t[2]).reversed());
        return tiles;
    }

    @Override
    public void logits(Tensor out, Tensor hidden, int[] rows, Tensor wte) {
        CudaTensor o = activation(out);
        CudaTensor h = activation(hidden);
        CudaTensor e = tensor(wte);
        int c = h.cols;
        int v = e.rows;
        int n = rows.length;
        if (e.transposed || e.cols != c || o.cols != v || n > o.rows) {
            throw new IllegalArgumentException("logits shapes: out " + o + ", hidden " + h + ", " + n + " rows, wte "
                    + e);
        }
        for (int row : rows) {
            if (row < 0 || row >= h.rows) {
                throw new IllegalArgumentException("row " + row + " is outside the hidden states " + h);
            }
        }
        if (n == 0) {
            return;
        }
        boolean contiguous = true;
        for (int i = 1; i < n; i++) {
            contiguous &= rows[i] == rows[0] + i;
        }
        Lane lane = contiguous && rows[0] == 0 ? laneKeepingNorm() : lane();
        long x;
        if (contiguous) {
            x = h.ptr + 4L * rows[0] * c;
        } else {
            x = lane.scratch(Lane.Scratch.GATHER, 4L * n * c);
            long rowsAt = lane.payload(rows);
            lane.launch(Kernel.GATHER_ROWS, n, 1, 1, 256, 0, new KernelArgs().ptr(x).ptr(h.ptr).ptr(rowsAt).i32(c));
        }
        project(lane, o, x, n, e, 0, c, v, Epilogue.STORE);
    }

    @Override
    public int[] chooseTokens(Tensor logits, TokenChoice[] choices) {
        CudaTensor l = activation(logits);
        int n = choices.length;
        int v = l.cols;
        if (n > l.rows) {
            throw new IllegalArgumentException(n + " choices for " + l);
        }
        if (n == 0) {
            return new int[0];
        }
        Lane lane = lane();
        boolean sampling = false;
        for (TokenChoice c : choices) {
            sampling |= !c.greedy();
        }
        long weights = sampling ? lane.scratch(Lane.Scratch.SAMPLING, 8L * n * v) : 0;
        long chosen = lane.scratch(Lane.Scratch.RESULTS, 4L * n);
        long choicesAt = lane.payload((long) CHOICE_BYTES * n, seg -> {
            for (int i = 0; i < n; i++) {
                TokenChoice c = choices[i];
                long at = (long) CHOICE_BYTES * i;
                seg.set(ValueLayout.JAVA_DOUBLE, at, c.greedy() ? 0 : c.temperature());
                seg.set(ValueLayout.JAVA_DOUBLE, at + 8, c.topP());
                seg.set(ValueLayout.JAVA_DOUBLE, at + 16, c.uniform());
                seg.set(ValueLayout.JAVA_INT, at + 24, c.topK());
                seg.set(ValueLayout.JAVA_INT, at + 28, c.greedy() ? 1 : 0);
            }
        });
        lane.launch(Kernel.CHOOSE_TOKENS, n, 1, 1, 1024, 0, new KernelArgs().ptr(chosen).ptr(l.ptr).i32(v)
                .ptr(choicesAt).ptr(weights));
        lane.toHost(chosen, 4L * n);
        lane.sync();
        int[] out = lane.results().asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT);
        for (int id : out) {
            if (id < 0) {
                throw HostSampler.everyLogitNaN();
            }
        }
        return out;
    }

    @Override
    public void tokenLogProbs(Tensor logits, int[] targets, double[] out) {
        CudaTensor l = activation(logits);
        int n = targets.length;
        int v = l.cols;
        if (n > l.rows || out.length < n) {
            throw new IllegalArgumentException(n + " targets for " + l + " into " + out.length + " values");
        }
        for (int t : targets) {
            if (t < 0 || t >= v) {
                throw new IllegalArgumentException("target id " + t + " is outside the vocabulary [0, " + v + ")");
            }
        }
        if (n == 0) {
            return;
        }
        Lane lane = lane();
        long result = lane.scratch(Lane.Scratch.RESULTS, 8L * n);
        long targetsAt = lane.payload(targets);
        lane.launch(Kernel.TOKEN_LOG_PROBS, n, 1, 1, 1024, 0, new KernelArgs().ptr(result).ptr(l.ptr)
                .ptr(targetsAt).i32(v));
        lane.toHost(result, 8L * n);
        lane.sync();
        MemorySegment.copy(lane.results(), ValueLayout.JAVA_DOUBLE, 0, out, 0, n);
    }

    @Override
    public Optional<DeviceLimits> measureLimits(Duration budget) {
        Lane lane = lane();
        lane.sync();
        CudaRuntime.Device device = runtime.device();
        double seconds = Math.max(0.1, budget.toNanos() / 1e9);
        long bytes = Math.min(1L << 30, driver.memoryInfo()[0] / 4) / 16 * 16;
        int blocks = device.multiprocessors() * 16;
        long data = memory.allocate(bytes, "the bandwidth measurement");
        long sums = memory.allocate(4L * device.multiprocessors() * 8 * 256, "the measurement results");
        try {
            KernelArgs read = new KernelArgs().ptr(sums).ptr(data).i64(bytes / 16);
            double readSeconds = timeLaunches(lane, Kernel.READ_BANDWIDTH, blocks, 256, read, seconds / 2);
            int iterations = 4096;
            int fmaBlocks = device.multiprocessors() * 8;
            KernelArgs fma = new KernelArgs().ptr(sums).i32(iterations).f32(1.0f);
            double fmaSeconds = timeLaunches(lane, Kernel.FMA_PEAK, fmaBlocks, 256, fma, seconds / 2);
            double flops = 16.0 * iterations * fmaBlocks * 256;
            return Optional.of(new DeviceLimits(bytes / readSeconds, flops / fmaSeconds, String.format(Locale.ROOT,
                    "%s: a reduction reading %s of device memory; 8 FP32 FMA chains per thread on all %d SMs",
                    device.name(), DeviceMemory.mib(bytes), device.multiprocessors())));
        } finally {
            memory.free(data);
            memory.free(sums);
        }
    }

    /** The best time of one launch over repeated launches within about {@code budget} seconds (one warm-up first). */
    private double timeLaunches(Lane lane, Kernel kernel, int blocks, int threads, KernelArgs args, double budget) {
        MemorySegment start = driver.eventCreate(CudaDriver.EVENT_DEFAULT);
        MemorySegment end = driver.eventCreate(CudaDriver.EVENT_DEFAULT);
        try {
            lane.launch(kernel, blocks, 1, 1, threads, 0, args);
            lane.sync();
            double best = Double.MAX_VALUE;
            long deadline = System.nanoTime() + (long) (budget * 1e9);
            for (int i = 0; i < 3 || (System.nanoTime() < deadline && i < 100); i++) {
                driver.eventRecord(start, lane.stream());
                lane.launch(kernel, blocks, 1, 1, threads, 0, args);
                lane.flush();
                driver.eventRecord(end, lane.stream());
                driver.eventSynchronize(end);
                best = Math.min(best, driver.elapsedMillis(start, end) / 1e3);
            }
            return best;
        } finally {
            driver.eventDestroy(start);
            driver.eventDestroy(end);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        driver.setCurrent(context);
        synchronized (allLanes) {
            for (Lane lane : allLanes) {
                lane.close();
            }
            allLanes.clear();
        }
        memory.close();
        module.close();
        driver.releasePrimaryContext(runtime.device().handle());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** The calling thread's lane, its pending layer norm (if any) launched: what every call but a matmul needs. */
    private Lane lane() {
        Lane lane = laneKeepingNorm();
        Lane.PendingNorm norm = lane.pending;
        if (norm != null) {
            lane.pending = null;
            launchNorm(lane, norm);
        }
        return lane;
    }

    /** The calling thread's lane, created on its first call; a pending layer norm stays pending. */
    private Lane laneKeepingNorm() {
        if (closed.get()) {
            throw new IllegalStateException("the cuda backend is closed");
        }
        Lane lane = lanes.get();
        if (lane == null) {
            lane = new Lane(driver, runtime.cublas(), module, memory, context, graphs, debug);
            synchronized (allLanes) {
                allLanes.add(lane);
            }
            lanes.set(lane);
        }
        lane.enter();
        return lane;
    }

    /** Frees a tensor or cache once the calling thread's queued work (which may use it) is done. */
    void release(long ptr, boolean pooled) {
        if (closed.get()) {
            return;
        }
        lane().sync();
        if (pooled) {
            memory.give(ptr);
        } else {
            memory.free(ptr);
        }
    }

    private CudaTensor tensor(Tensor t) {
        if (t instanceof CudaTensor c && c.owner == this) {
            if (c.isClosed()) {
                throw new IllegalArgumentException("tensor " + c + " is closed");
            }
            return c;
        }
        throw new IllegalArgumentException("not a tensor of this cuda backend: " + t);
    }

    private CudaTensor activation(Tensor t) {
        CudaTensor c = tensor(t);
        if (c.dtype != DType.F32 || c.transposed) {
            throw new IllegalArgumentException("expected an F32 activation, got " + c);
        }
        return c;
    }

    private CudaCache cache(KvCache k) {
        if (k instanceof CudaCache c && c.owner == this) {
            return c;
        }
        throw new IllegalArgumentException("not a KV cache of this cuda backend: " + k);
    }

    static int code(DType dtype) {
        return switch (dtype) {
            case F32 -> DTYPE_F32;
            case F16 -> DTYPE_F16;
            case BF16 -> DTYPE_BF16;
            case Q8_0 -> throw new IllegalArgumentException("the cuda backend has no Q8_0 kernels");
        };
    }

    static int ceilDiv(long a, int b) {
        return (int) ((a + b - 1) / b);
    }

    /** Blocks of 256 for a grid-stride loop over {@code count} elements. */
    static int gridFor(long count) {
        return Math.max(1, Math.min(ceilDiv(count, 256), 1 << 16));
    }
}
