package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One thread's way to the GPU: its stream, its cuBLAS handle, its buffers, and the work it has asked for but not yet
 * sent. Kernel calls are recorded as {@link Op}s; small host data they need (token ids, slice descriptors, sampling
 * parameters) goes to a page-locked "payload" buffer that reaches the device in one copy when the work is sent. The
 * payload buffers alternate between two device copies, so a payload reserved just before a flush stays intact until
 * the op recorded after it has run. {@link #flush} sends the recorded sequence: the first time as plain launches, the
 * second time it is captured as a CUDA graph, and from then on an identical sequence (a decode step: same kernels,
 * tensors and launch shapes; only the payload's contents differ) is one graph launch. Only the thread that owns a
 * lane uses it.
 */
final class Lane implements AutoCloseable {
    /** Scratch buffers, each used within one recorded kernel sequence. */
    enum Scratch { CAST, GATHER, ATTENTION, COUNTERS, SAMPLING, RESULTS }

    private static final System.Logger LOG = System.getLogger(Lane.class.getName());
    private static final int PAYLOAD_ALIGN = 16;
    private static final int GRAPH_MIN_OPS = 4;
    private static final int GRAPHS_KEPT = 8;
    private static final long TRANSFER_BYTES = 8L << 20;
    private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;
    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    private static final MemorySegment ZERO = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 0f);

    private final CudaDriver driver;
    private final Cublas cublas;
    private final KernelModule module;
    private final DeviceMemory memory;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final MemorySegment cublasHandle;
    private final long cublasWorkspace;
    private final MemorySegment[] transfer = new MemorySegment[2];
    private final MemorySegment[] transferDone = new MemorySegment[2];
    private final Map<Scratch, long[]> scratch = new EnumMap<>(Scratch.class);

    private final long[] payloadDevice = new long[2];
    private final MemorySegment[] payloadHost = new MemorySegment[2];
    private final MemorySegment[] payloadSent = new MemorySegment[2];
    private int payloadCurrent;
    private long payloadUsed;
    private boolean payloadWritable = true;
    private MemorySegment resultsHost;

    /**
     * A layer norm of few rows not launched yet, because the matmul that reads it may apply it itself
     * ({@link Kernel#gemvLayerNorm}); the backend launches it before anything else.
     *
     * @param out   its output [rows, cols]
     * @param in    its input, never {@code out}
     */
    record PendingNorm(long out, long in, int rows, int cols, long weight, long bias, float eps) {
    }

    /** The layer norm waiting for its reader, or null. */
    PendingNorm pending;

    private final List<Op> ops = new ArrayList<>();
    private boolean graphs;
    private final boolean debug;
    private long graphLaunches;
    private final LinkedHashMap<List<Op>, MemorySegment> graphCache = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<List<Op>, Boolean> seenOnce = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * A lane for the calling thread.
     *
     * @param graphs whether repeated sequences are replayed as CUDA graphs
     * @param debug  whether to wait after every op and name the op that failed (no graphs then)
     */
    Lane(CudaDriver driver, Cublas cublas, KernelModule module, DeviceMemory memory, MemorySegment context,
         boolean graphs, boolean debug) {
        this.driver = driver;
        this.cublas = cublas;
        this.module = module;
        this.memory = memory;
        this.context = context;
        this.graphs = graphs && !debug;
        this.debug = debug;
        driver.setCurrent(context);
        stream = driver.streamCreate();
        cublasHandle = cublas.createHandle();
        cublas.setStream(cublasHandle, stream);
        cublasWorkspace = memory.allocate(CUBLAS_WORKSPACE_BYTES, "the cuBLAS workspace");
        cublas.setWorkspace(cublasHandle, cublasWorkspace, CUBLAS_WORKSPACE_BYTES);
        for (int i = 0; i < 2; i++) {
            transfer[i] = driver.hostAlloc(TRANSFER_BYTES);
            transferDone[i] = driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
            payloadSent[i] = driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
        }
        allocatePayload(1L << 20);
        resultsHost = driver.hostAlloc(64L << 10);
    }

    MemorySegment stream() {
        return stream;
    }

    MemorySegment cublasHandle() {
        return cublasHandle;
    }

    /** "on, 12 steps sent as graphs" or "off". */
    String graphState() {
        return graphs ? "on, " + graphLaunches + " steps sent as graphs by this thread" : "off";
    }

    /** Makes the context current when a virtual thread may have moved to another carrier since the last call. */
    void enter() {
        if (Thread.currentThread().isVirtual()) {
            driver.setCurrent(context);
        }
    }

    // ---- recording -------------------------------------------------------------------------------------------

    void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, KernelArgs args) {
        ops.add(new Op.Launch(kernel, gridX, gridY, gridZ, block, sharedBytes, args.slots()));
    }

    void gemm(Op.Gemm gemm) {
        ops.add(gemm);
    }

    /** Queues a copy of {@code bytes} from the device to the result buffer, readable with {@link #results} after {@link #sync}. */
    void toHost(long devicePointer, long bytes) {
        ensureResultsHost(bytes);
        ops.add(new Op.ToHost(resultsHost.address(), devicePointer, bytes));
    }

    /** The page-locked buffer {@link #toHost} copies into. */
    MemorySegment results() {
        return resultsHost;
    }

    /**
     * Reserves {@code bytes} of payload, lets {@code fill} write them (a segment of exactly that size) and returns
     * the device address they will have when the recorded work runs.
     */
    long payload(long bytes, Consumer<MemorySegment> fill) {
        long size = Math.max(PAYLOAD_ALIGN, (bytes + PAYLOAD_ALIGN - 1) / PAYLOAD_ALIGN * PAYLOAD_ALIGN);
        if (payloadUsed + size > payloadHost[0].byteSize()) {
            flush();
            if (size > payloadHost[0].byteSize()) {
                sync();
                freePayload();
                allocatePayload(2 * size);
            }
        }
        if (!payloadWritable) {
            driver.eventSynchronize(payloadSent[payloadCurrent]);
            payloadWritable = true;
        }
        long offset = payloadUsed;
        payloadUsed += size;
        fill.accept(payloadHost[payloadCurrent].asSlice(offset, bytes));
        return payloadDevice[payloadCurrent] + offset;
    }

    /** {@link #payload} for an int array. */
    long payload(int[] values) {
        return payload(4L * values.length,
                s -> MemorySegment.copy(values, 0, s, ValueLayout.JAVA_INT, 0, values.length));
    }

    /**
     * A device buffer of at least {@code bytes} for {@code kind}, valid until the next call for the same kind. Growing
     * it waits for the recorded work that may still use the old one. {@link Scratch#COUNTERS} starts zeroed.
     */
    long scratch(Scratch kind, long bytes) {
        long[] held = scratch.get(kind);
        if (held != null && held[1] >= bytes) {
            return held[0];
        }
        if (held != null) {
            sync();
            memory.free(held[0]);
        }
        long size = (Math.max(bytes, held == null ? bytes : held[1] + held[1] / 2) + 3) / 4 * 4;
        long ptr = memory.allocate(size, "a " + kind.name().toLowerCase(java.util.Locale.ROOT) + " buffer");
        scratch.put(kind, new long[] {ptr, size});
        if (kind == Scratch.COUNTERS) {
            // counters start at 0; the kernels that use them leave them at 0
            driver.check(driver.memsetD32Async(ptr, 0, size / 4, stream), "cuMemsetD32Async");
        }
        return ptr;
    }

    // ---- sending ---------------------------------------------------------------------------------------------

    /** Sends everything recorded to the stream (without waiting for it). */
    void flush() {
        if (payloadUsed > 0) {
            driver.check(driver.memcpyHtoDAsync(payloadDevice[payloadCurrent], payloadHost[payloadCurrent],
                    payloadUsed, stream),
                    "cuMemcpyHtoDAsync(payload)");
            driver.eventRecord(payloadSent[payloadCurrent], stream);
            payloadCurrent ^= 1;
            payloadUsed = 0;
            payloadWritable = false;
        }
        if (ops.isEmpty()) {
            return;
        }
        List<Op> step = List.copyOf(ops);
        ops.clear();
        if (graphs && step.size() >= GRAPH_MIN_OPS) {
            MemorySegment exec = graphCache.get(step);
            if (exec == null && seenOnce.remove(step) != null) {
                exec = capture(step);
                if (exec != null) {
                    graphCache.put(step, exec);
                    evictGraphs();
                }
            } else if (exec == null) {
                seenOnce.put(step, Boolean.TRUE);
                if (seenOnce.size() > GRAPHS_KEPT * 2) {
                    seenOnce.remove(seenOnce.keySet().iterator().next());
                }
            }
            if (exec != null) {
                driver.check(driver.graphLaunch(exec, stream), "cuGraphLaunch");
                graphLaunches++;
                return;
            }
        }
        execute(step);
    }

    /** {@link #flush}, then waits until the stream has done everything. */
    void sync() {
        flush();
        driver.streamSynchronize(stream);
    }

    private void execute(List<Op> step) {
        try (Arena arena = Arena.ofConfined()) {
            for (Op op : step) {
                switch (op) {
                    case Op.Launch l -> driver.check(driver.launchKernel(module.function(l.kernel()), l.gridX(),
                            l.gridY(), l.gridZ(), l.block(), 1, 1, l.sharedBytes(), stream,
                            KernelArgs.marshal(l.slots(), arena)), "cuLaunchKernel(" + l.kernel().symbol() + ")");
                    case Op.Gemm g -> Cublas.check(cublas.gemmEx(cublasHandle, g.transA(), g.transB(), g.m(), g.n(),
                            g.k(), ONE, g.a(), g.aType(), g.lda(), g.b(), g.bType(), g.ldb(),
                            g.accumulate() ? ONE : ZERO, g.c(), Cublas.R_32F, g.ldc(), g.computeType()),
                            "cublasGemmEx(m=" + g.m() + ", n=" + g.n() + ", k=" + g.k() + ")");
                    case Op.ToHost t -> driver.check(driver.memcpyDtoHAsync(MemorySegment.ofAddress(t.hostAddress()),
                            t.devicePointer(), t.bytes(), stream), "cuMemcpyDtoHAsync");
                }
                if (debug) {
                    try {
                        driver.streamSynchronize(stream);
                    } catch (Gpt2Exception e) {
                        throw new Gpt2Exception(e.kind(), "after " + op + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** Captures {@code step} as a graph and instantiates it; null (and graphs off for this lane) when that fails. */
    private MemorySegment capture(List<Op> step) {
        int[] result = new int[1];
        result[0] = driver.beginCapture(stream);
        if (result[0] != CudaDriver.CUDA_SUCCESS) {
            return giveUpGraphs("cuStreamBeginCapture", result[0]);
        }
        RuntimeException failure = null;
        try {
            execute(step);
        } catch (RuntimeException e) {
            failure = e;
        }
        MemorySegment graph = driver.endCapture(stream, result);
        if (failure != null || result[0] != CudaDriver.CUDA_SUCCESS) {
            if (!graph.equals(MemorySegment.NULL)) {
                driver.graphDestroy(graph);
            }
            return giveUpGraphs(failure != null ? failure.getMessage() : "cuStreamEndCapture", result[0]);
        }
        MemorySegment exec = driver.graphInstantiate(graph, result);
        driver.graphDestroy(graph);
        if (result[0] != CudaDriver.CUDA_SUCCESS) {
            return giveUpGraphs("cuGraphInstantiate", result[0]);
        }
        return exec;
    }

    private MemorySegment giveUpGraphs(String what, int result) {
        graphs = false;
        LOG.log(System.Logger.Level.WARNING, "CUDA graph capture failed (" + what + ", " + driver.errorName(result)
                + "); this thread goes on with plain kernel launches");
        return null;
    }

    private void evictGraphs() {
        while (graphCache.size() > GRAPHS_KEPT) {
            var eldest = graphCache.entrySet().iterator().next();
            driver.graphExecDestroy(eldest.getValue());
            graphCache.remove(eldest.getKey());
        }
    }

    // ---- bulk copies (synchronous) ---------------------------------------------------------------------------

    /** Copies host bytes to the device through the page-locked transfer buffers, then waits. */
    void copyToDevice(long dst, MemorySegment src) {
        sync();
        long n = src.byteSize();
        int buffer = 0;
        for (long at = 0; at < n; at += TRANSFER_BYTES) {
            long chunk = Math.min(TRANSFER_BYTES, n - at);
            driver.eventSynchronize(transferDone[buffer]);
            MemorySegment.copy(src, at, transfer[buffer], 0, chunk);
            driver.check(driver.memcpyHtoDAsync(dst + at, transfer[buffer], chunk, stream), "cuMemcpyHtoDAsync");
            driver.eventRecord(transferDone[buffer], stream);
            buffer ^= 1;
        }
        driver.streamSynchronize(stream);
    }

    /** Copies device bytes into {@code dst} (host memory of any kind) after everything recorded has run. */
    void copyToHost(MemorySegment dst, long src) {
        sync();
        long n = dst.byteSize();
        for (long at = 0; at < n; at += TRANSFER_BYTES) {
            long chunk = Math.min(TRANSFER_BYTES, n - at);
            driver.check(driver.memcpyDtoHAsync(transfer[0], src + at, chunk, stream), "cuMemcpyDtoHAsync");
            driver.streamSynchronize(stream);
            MemorySegment.copy(transfer[0], 0, dst, at, chunk);
        }
    }

    // ---- buffers ---------------------------------------------------------------------------------------------

    private void allocatePayload(long bytes) {
        for (int i = 0; i < 2; i++) {
            payloadDevice[i] = memory.allocate(bytes, "kernel parameters");
            payloadHost[i] = driver.hostAlloc(bytes);
        }
        payloadUsed = 0;
        payloadWritable = true;
    }

    private void freePayload() {
        for (int i = 0; i < 2; i++) {
            memory.free(payloadDevice[i]);
            driver.hostFree(payloadHost[i]);
        }
    }

    private void ensureResultsHost(long bytes) {
        if (resultsHost.byteSize() < bytes) {
            sync();
            driver.hostFree(resultsHost);
            resultsHost = driver.hostAlloc(Math.max(bytes, 2 * resultsHost.byteSize()));
        }
    }

    /** Waits for the stream and frees everything this lane holds. */
    @Override
    public void close() {
        driver.setCurrent(context);
        ops.clear();
        driver.streamSynchronize(stream);
        for (MemorySegment exec : graphCache.values()) {
            driver.graphExecDestroy(exec);
        }
        graphCache.clear();
        seenOnce.clear();
        for (long[] held : scratch.values()) {
            memory.free(held[0]);
        }
        scratch.clear();
        freePayload();
        driver.hostFree(resultsHost);
        for (int i = 0; i < 2; i++) {
            driver.hostFree(transfer[i]);
            driver.eventDestroy(transferDone[i]);
            driver.eventDestroy(payloadSent[i]);
        }
        cublas.destroyHandle(cublasHandle);
        memory.free(cublasWorkspace);
        driver.streamDestroy(stream);
    }
}
