package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A quick measurement of the kernels at GPT-2 124M's shapes, beside the machine's limits; not a test and not the
 * project's benchmark suite (that is JMH in {@code benchmarks}). Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED [-Dgpt2.vector.bits=N] \
 *   -cp backend-vector/target/classes:backend-vector/target/test-classes:gpt2-api/target/classes \
 *   dev.gpt2.backend.vector.cpu.KernelBench [threads, 0 = all]
 *   [all|decode|prefill|attention|model|dtypes|breakdown] [f32|f16|bf16|q8]
 * </pre>
 * {@code model} runs the whole 124M forward pass (random weights): a 512-token prefill and a decode step.
 * {@code dtypes} compares decode steps of the whole 124M with weights held as F32, BF16 and Q8_0, interleaved in one
 * JVM (so that all three meet the same machine), at the context of {@code gpt2 bench --prompt-tokens 128
 * --new-tokens 64}, each beside its read bound. {@code breakdown} times each kind of call of decode steps at
 * positions 512 to 575, each step paired with a read pass over as many bytes as its weights. Other
 * figures are the best of 5 batches; with 1 thread, of the calling thread's CPU time (it then does all the work).
 * Matmul weights and the embeddings are held in the dtype given (f32 by default); bandwidths count the bytes of that
 * dtype (Q8_0: 1 byte and a 4-byte scale per 32 weights). Native access lets the weights go on huge pages, as they do
 * under {@code ./gpt2}; the first line printed says whether they did.
 */
public final class KernelBench {
    private static final int C = 768;
    private static final int V = 50257;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** Whether {@link #time} measures the calling thread's CPU time (1 thread) rather than the wall clock. */
    private static boolean cpuTime;
    /** The dtype matmul weights and embeddings are held in. */
    private static DType held = DType.F32;

    private KernelBench() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        cpuTime = threads == 1;
        String only = args.length > 1 ? args[1] : "all";
        held = args.length > 2 ? DType.parse(args[2]) : DType.F32;
        try (CpuBackend b = new CpuBackend("vector", new BackendConfig(threads), Simd.fromProperty(),
                VectorMatmul::new)) {
            System.out.println(b.describe());
            DeviceLimits limits = b.measureLimits(Duration.ofSeconds(2)).orElseThrow();
            System.out.printf("limits: read %.1f GB/s (median pass %.1f), FP32 %.1f GFLOP/s (%s)%n",
                    limits.readBytesPerSecond() / 1e9, limits.typicalReadBytesPerSecond() / 1e9,
                    limits.fp32FlopsPerSecond() / 1e9, limits.method());
            Tensor[] w = {weight(b, C, 3 * C), weight(b, C, C), weight(b, C, 4 * C), weight(b, 4 * C, C)};
            Tensor[] bias = {weight(b, 1, 3 * C), weight(b, 1, C), weight(b, 1, 4 * C), weight(b, 1, C)};
            Tensor wte = upload(b, V, C, WeightRole.TOKEN_EMBEDDING);
            if (only.equals("all") || only.equals("decode")) {
                decode(b, w, bias, wte);
            }
            if (only.equals("all") || only.equals("prefill")) {
                prefill(b, w, bias, wte);
            }
            if (only.equals("all") || only.equals("attention")) {
                attention(b);
            }
            if (only.equals("all") || only.equals("model")) {
                model(b, wte, limits);
            }
            if (only.equals("dtypes")) {
                dtypes(b, limits);
            }
            if (only.equals("breakdown")) {
                breakdown(b);
            }
        }
    }

    private static void decode(CpuBackend b, Tensor[] w, Tensor[] bias, Tensor wte) {
        Tensor[] xs = new Tensor[w.length];
        Tensor[] outs = new Tensor[w.length];
        for (int i = 0; i < w.length; i++) {
            xs[i] = activation(b, 1, w[i].rows());
            outs[i] = b.allocate(1, w[i].cols());
        }
        Tensor x = xs[0];
        for (int i = 0; i < w.length; i++) {
            Tensor wi = w[i];
            Tensor bi = bias[i];
            Tensor xi = xs[i];
            Tensor out = outs[i];
            double s = time(200, () -> b.matmul(out, xi, 1, wi, bi, Epilogue.STORE));
            double bytes = bytesPerWeight() * wi.rows() * wi.cols();
            System.out.printf("decode matmul [1, %d] x [%d, %d]: %.1f us, %.1f GB/s%n", wi.rows(), wi.rows(),
                    wi.cols(), s * 1e6, bytes / s / 1e9);
        }
        Tensor logits = b.allocate(1, V);
        double s = time(30, () -> b.logits(logits, x, new int[] {0}, wte));
        System.out.printf("decode logits [1, %d] x [%d, %d]^T: %.2f ms, %.1f GB/s%n", C, V, C, s * 1e3,
                bytesPerWeight() * V * C / s / 1e9);
        Tensor[][] layers = new Tensor[12][];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Tensor[] {weight(b, C, 3 * C), weight(b, C, C), weight(b, C, 4 * C), weight(b, 4 * C, C)};
        }
        double token = time(10, () -> {
            for (Tensor[] layer : layers) {
                for (int i = 0; i < layer.length; i++) {
                    b.matmul(outs[i], xs[i], 1, layer[i], bias[i], Epilogue.STORE);
                }
            }
            b.logits(logits, x, new int[] {0}, wte);
        });
        double bytes = bytesPerWeight() * (12L * 12 * C * C + (long) V * C);
        System.out.printf("decode token (12 layers x 4 matmuls + logits, 124M's %.0f MB of weights): %.2f ms,"
                + " %.1f GB/s%n", bytes / 1e6, token * 1e3, bytes / token / 1e9);
    }

    private static void prefill(CpuBackend b, Tensor[] w, Tensor[] bias, Tensor wte) {
        int rows = 512;
        for (int i = 0; i < w.length; i++) {
            Tensor wi = w[i];
            Tensor bi = bias[i];
            Tensor x = activation(b, rows, wi.rows());
            Tensor out = b.allocate(rows, wi.cols());
            double s = time(5, () -> b.matmul(out, x, rows, wi, bi, Epilogue.GELU));
            System.out.printf("prefill matmul [%d, %d] x [%d, %d]: %.1f ms, %.1f GFLOP/s%n", rows, wi.rows(),
                    wi.rows(), wi.cols(), s * 1e3, 2.0 * rows * wi.rows() * wi.cols() / s / 1e9);
        }
        int scored = 128;
        Tensor h = activation(b, scored, C);
        Tensor logits = b.allocate(scored, V);
        int[] all = new int[scored];
        java.util.Arrays.setAll(all, i -> i);
        double s = time(2, () -> b.logits(logits, h, all, wte));
        System.out.printf("scoring logits [%d, %d] x [%d, %d]^T: %.1f ms, %.1f GFLOP/s%n", scored, C, V, C, s * 1e3,
                2.0 * scored * C * V / s / 1e9);
    }

    private static void attention(CpuBackend b) {
        int t = 512;
        KvCache cache = b.allocateCache(1, 12, 64, 1024);
        Tensor qkv = activation(b, t, 3 * C);
        Tensor out = b.allocate(t, C);
        double s = time(5, () -> b.attention(out, qkv, 0, AttentionBatch.single(cache, t, 0)));
        double flops = 2.0 * 2 * 12 * 64 * (t * (t + 1) / 2.0);
        System.out.printf("prefill attention %d rows, 12 heads of 64: %.1f ms, %.1f GFLOP/s%n", t, s * 1e3,
                flops / s / 1e9);
        double d = time(200, () -> b.attention(out, qkv, 0, AttentionBatch.single(cache, 1, t)));
        System.out.printf("decode attention at %d, 12 heads of 64: %.1f us%n", t, d * 1e6);
        Tensor g = weight(b, 1, C);
        Tensor beta = weight(b, 1, C);
        double n = time(20, () -> b.layerNorm(out, out, t, g, beta, 1e-5f));
        System.out.printf("layerNorm %d x %d: %.1f us%n", t, C, n * 1e6);
        Tensor wpe = upload(b, 1024, C, WeightRole.POSITION_EMBEDDING);
        int[] ids = new int[t];
        int[] positions = new int[t];
        java.util.Arrays.setAll(positions, i -> i);
        double e = time(20, () -> b.embed(out, wpe, wpe, ids, positions));
        System.out.printf("embed %d x %d: %.1f us%n", t, C, e * 1e6);
    }

    /** GPT-2 124M's weights for one layer (random). */
    private record Layer(Tensor ln1g, Tensor ln1b, Tensor attnW, Tensor attnB, Tensor projW, Tensor projB, Tensor ln2g,
                         Tensor ln2b, Tensor fcW, Tensor fcB, Tensor fcProjW, Tensor fcProjB) {
        static Layer random(CpuBackend b) {
            return new Layer(weight(b, 1, C), weight(b, 1, C), weight(b, C, 3 * C), weight(b, 1, 3 * C),
                    weight(b, C, C), weight(b, 1, C), weight(b, 1, C), weight(b, 1, C), weight(b, C, 4 * C),
                    weight(b, 1, 4 * C), weight(b, 4 * C, C), weight(b, 1, C));
        }
    }

    /**
     * The whole forward pass of GPT-2 124M as gpt2-core runs it (random weights): decode of one token at position
     * 511 and prefill of 512 tokens, beside the limits.
     */
    private static void model(CpuBackend b, Tensor wte, DeviceLimits limits) {
        Tensor wpe = upload(b, 1024, C, WeightRole.POSITION_EMBEDDING);
        Layer[] layers = new Layer[12];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = Layer.random(b);
        }
        Tensor lnfG = weight(b, 1, C);
        Tensor lnfB = weight(b, 1, C);
        KvCache cache = b.allocateCache(12, 12, 64, 1024);
        int t = 512;
        Tensor x = b.allocate(t, C);
        Tensor h = b.allocate(t, C);
        Tensor qkv = b.allocate(t, 3 * C);
        Tensor att = b.allocate(t, C);
        Tensor fc = b.allocate(t, 4 * C);
        Tensor logits = b.allocate(1, V);
        int[] ids = new int[t];
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) {
            ids[i] = (i * 7919) % V;
            positions[i] = i;
        }
        Runnable prefill = () -> forward(b, wte, wpe, layers, lnfG, lnfB, cache, x, h, qkv, att, fc, logits, ids,
                positions, 0);
        double s = time(2, prefill);
        double flops = 2.0 * t * (12L * 12 * C * C) + 2.0 * 2 * 12 * C * (t * (t + 1) / 2.0) + 2.0 * C * V;
        System.out.printf("model prefill of %d tokens: %.0f ms, %.0f tokens/s, %.1f GFLOP/s = %.0f%% of the FP32"
                + " peak%n", t, s * 1e3, t / s, flops / s / 1e9, 100 * flops / s / limits.fp32FlopsPerSecond());
        int[] one = {ids[t - 1]};
        int[] last = {t - 1};
        double d = time(10, () -> forward(b, wte, wpe, layers, lnfG, lnfB, cache, x, h, qkv, att, fc, logits, one,
                last, t - 1));
        double bytes = bytesPerWeight() * (12L * 12 * C * C + (long) V * C);
        System.out.printf("model decode at position %d: %.2f ms, %.1f tokens/s, weights read at %.1f GB/s = %.0f%%"
                + " of the read bound%n", t - 1, d * 1e3, 1 / d, bytes / d / 1e9,
                100 * bytes / d / limits.readBytesPerSecond());
    }

    /** The activations of a decode step: one row of each. */
    private record Step(Tensor x, Tensor h, Tensor qkv, Tensor att, Tensor fc, Tensor logits) {
        static Step allocate(CpuBackend b) {
            return new Step(b.allocate(1, C), b.allocate(1, C), b.allocate(1, 3 * C), b.allocate(1, C),
                    b.allocate(1, 4 * C), b.allocate(1, V));
        }
    }

    /** GPT-2 124M with random weights held in one dtype, and a cache of its own. */
    private record Model(DType dtype, Tensor wte, Tensor wpe, Layer[] layers, Tensor lnfG, Tensor lnfB,
                         KvCache cache) {
        static Model random(CpuBackend b, DType dtype, int capacity) {
            held = dtype;
            Layer[] layers = new Layer[12];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = Layer.random(b);
            }
            return new Model(dtype, upload(b, V, C, WeightRole.TOKEN_EMBEDDING),
                    upload(b, 1024, C, WeightRole.POSITION_EMBEDDING), layers, weight(b, 1, C), weight(b, 1, C),
                    b.allocateCache(12, 12, 64, capacity));
        }
    }

    /**
     * Decode steps at positions 128 to 191 (from {@code -Dkernelbench.context} if given) with weights held as F32, BF16 and Q8_0, 16 steps of each in turn, so that
     * load on a shared machine hits all three alike; tokens/s (best, median, 90th percentile of the steps) beside
     * the read bound of each dtype's weight bytes (matrices and the LM head), and the medians' ratios to F32.
     */
    private static final int DTYPES_CONTEXT = Integer.getInteger("kernelbench.context", 128);

    private static void dtypes(CpuBackend b, DeviceLimits limits) {
        DType[] types = {DType.F32, DType.BF16, DType.Q8_0};
        Model[] models = new Model[types.length];
        for (int i = 0; i < types.length; i++) {
            models[i] = Model.random(b, types[i], DTYPES_CONTEXT + 64);
        }
        Step a = Step.allocate(b);
        float[] row = new float[V];
        int rounds = 12;
        long[][] steps = new long[types.length][rounds * 16];
        for (int round = -2; round < rounds; round++) {
            for (int i = 0; i < models.length; i++) {
                Model m = models[i];
                for (int s = 0; s < 16; s++) {
                    int pos = DTYPES_CONTEXT + (round & 3) * 16 + s;
                    long t0 = System.nanoTime();
                    forward(b, m.wte(), m.wpe(), m.layers(), m.lnfG(), m.lnfB(), m.cache(), a.x(), a.h(), a.qkv(),
                            a.att(), a.fc(), a.logits(), new int[] {(pos * 7919) % V}, new int[] {pos}, pos);
                    b.read(a.logits(), 0, 1, row);
                    if (round >= 0) {
                        steps[i][round * 16 + s] = System.nanoTime() - t0;
                    }
                }
            }
        }
        double f32Median = 0;
        for (int i = 0; i < types.length; i++) {
            long[] t = steps[i].clone();
            java.util.Arrays.sort(t);
            double median = 1e9 / t[t.length / 2];
            f32Median = i == 0 ? median : f32Median;
            double bound = limits.readBytesPerSecond() / (bytesPerWeight(types[i]) * (12L * 12 * C * C + (long) V * C));
            System.out.printf("decode %-4s tokens/s: best %.1f, median %.1f, p90 %.1f; bound %.1f, median %.2f of it;"
                            + " median %.2f x f32%n", types[i], 1e9 / t[0], median, 1e9 / t[t.length * 9 / 10], bound,
                    median / bound, median / f32Median);
        }
    }

    /**
     * Where a decode step's time goes: 64 steps at positions 512 to 575 with every backend call timed by kind, each
     * step followed by a read pass over as many bytes as the step's weights (a plain sum, as the limits measure it),
     * so that each step meets its limit at the same moment; medians.
     */
    private static void breakdown(CpuBackend b) {
        Model m = Model.random(b, held, 1024);
        Step a = Step.allocate(b);
        long weightBytes = (long) (bytesPerWeight() * (12L * 12 * C * C + (long) V * C));
        String[] kinds = {"embed", "layerNorm", "matmul qkv", "attention", "matmul proj", "matmul fc", "matmul fcProj",
                "logits", "whole step", "read pass"};
        int steps = 64;
        long[][] t = new long[kinds.length][steps];
        float[] sink = new float[b.pool().threads()];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = HugePages.allocate(arena, weightBytes / 64 * 64);
            buffer.fill((byte) 1);
            long chunk = buffer.byteSize() / sink.length / 256 * 256;
            for (int s = -16; s < steps; s++) {
                int pos = 512 + Math.max(s, 0);
                long[] at = new long[kinds.length];
                long start = System.nanoTime();
                long t0 = start;
                b.embed(a.x(), m.wte(), m.wpe(), new int[] {(pos * 7919) % V}, new int[] {pos});
                t0 = lap(at, 0, t0);
                AttentionBatch batch = AttentionBatch.single(m.cache(), 1, pos);
                for (int l = 0; l < 12; l++) {
                    Layer w = m.layers()[l];
                    b.layerNorm(a.h(), a.x(), 1, w.ln1g(), w.ln1b(), 1e-5f);
                    t0 = lap(at, 1, t0);
                    b.matmul(a.qkv(), a.h(), 1, w.attnW(), w.attnB(), Epilogue.STORE);
                    t0 = lap(at, 2, t0);
                    b.attention(a.att(), a.qkv(), l, batch);
                    t0 = lap(at, 3, t0);
                    b.matmul(a.x(), a.att(), 1, w.projW(), w.projB(), Epilogue.ACCUMULATE);
                    t0 = lap(at, 4, t0);
                    b.layerNorm(a.h(), a.x(), 1, w.ln2g(), w.ln2b(), 1e-5f);
                    t0 = lap(at, 1, t0);
                    b.matmul(a.fc(), a.h(), 1, w.fcW(), w.fcB(), Epilogue.GELU);
                    t0 = lap(at, 5, t0);
                    b.matmul(a.x(), a.fc(), 1, w.fcProjW(), w.fcProjB(), Epilogue.ACCUMULATE);
                    t0 = lap(at, 6, t0);
                }
                b.layerNorm(a.h(), a.x(), 1, m.lnfG(), m.lnfB(), 1e-5f);
                t0 = lap(at, 1, t0);
                b.logits(a.logits(), a.h(), new int[] {0}, m.wte());
                t0 = lap(at, 7, t0);
                at[8] = t0 - start;
                b.pool().run(sink.length, (task, worker) -> sink[task] += Limits.sum(buffer, task * chunk, chunk));
                at[9] = System.nanoTime() - t0;
                if (s >= 0) {
                    for (int k = 0; k < kinds.length; k++) {
                        t[k][s] = at[k];
                    }
                }
            }
        }
        double step = median(t[8]);
        double read = median(t[9]);
        for (int k = 0; k < kinds.length; k++) {
            double ms = median(t[k]) / 1e6;
            System.out.printf("%-14s median %7.3f ms  %5.1f%% of the step%n", kinds[k], ms, 100 * ms * 1e6 / step);
        }
        double[] ratios = new double[steps];
        for (int s = 0; s < steps; s++) {
            ratios[s] = (double) t[9][s] / t[8][s];
        }
        java.util.Arrays.sort(ratios);
        System.out.printf("%s weights %.0f MB: step at %.1f GB/s, read pass at %.1f GB/s (medians); step = %.2f of"
                + " the read pass beside it (median of the %d pairs)%n", held, weightBytes / 1e6,
                weightBytes / step, weightBytes / read, ratios[steps / 2], steps);
    }

    private static long lap(long[] at, int kind, long t0) {
        long now = System.nanoTime();
        at[kind] += now - t0;
        return now;
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    /** One forward pass over {@code ids} at {@code positions}, the cache holding {@code past} positions already. */
    private static void forward(CpuBackend b, Tensor wte, Tensor wpe, Layer[] layers, Tensor lnfG, Tensor lnfB,
                                KvCache cache, Tensor x, Tensor h, Tensor qkv, Tensor att, Tensor fc, Tensor logits,
                                int[] ids, int[] positions, int past) {
        int r = ids.length;
        b.embed(x, wte, wpe, ids, positions);
        AttentionBatch batch = AttentionBatch.single(cache, r, past);
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            b.layerNorm(h, x, r, w.ln1g(), w.ln1b(), 1e-5f);
            b.matmul(qkv, h, r, w.attnW(), w.attnB(), Epilogue.STORE);
            b.attention(att, qkv, l, batch);
            b.matmul(x, att, r, w.projW(), w.projB(), Epilogue.ACCUMULATE);
            b.layerNorm(h, x, r, w.ln2g(), w.ln2b(), 1e-5f);
            b.matmul(fc, h, r, w.fcW(), w.fcB(), Epilogue.GELU);
            b.matmul(x, fc, r, w.fcProjW(), w.fcProjB(), Epilogue.ACCUMULATE);
        }
        b.layerNorm(h, x, r, lnfG, lnfB, 1e-5f);
        b.logits(logits, h, new int[] {r - 1}, wte);
    }

    /**
     * Seconds per run: warm up with as many runs, then the best of 5 batches of {@code runs} (the machine this was
     * written on is shared, and the best batch is the least disturbed). With 1 thread, all work runs on the calling
     * thread and its CPU time is used instead of the wall clock, which leaves out the time the OS gave to others.
     * Prints the bytes the calling thread allocated per run in the last batch: more than a few hundred means vectors
     * are being boxed (code C2 did not inline).
     */
    private static double time(int runs, Runnable r) {
        for (int i = 0; i < runs; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        long allocated = 0;
        for (int batch = 0; batch < 5; batch++) {
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
            long t0 = cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            for (int i = 0; i < runs; i++) {
                r.run();
            }
            long t1 = cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            best = Math.min(best, (t1 - t0) * 1e-9 / runs);
            allocated = (THREADS.getCurrentThreadAllocatedBytes() - a0) / runs;
        }
        System.out.print("[" + allocated + " B/run] ");
        return best;
    }

    /** Bytes per weight held as {@link #held}, scales included. */
    private static double bytesPerWeight() {
        return bytesPerWeight(held);
    }

    private static double bytesPerWeight(DType dtype) {
        return dtype.bits() / 8.0 + (dtype == DType.Q8_0 ? 4.0 / DType.Q8_BLOCK : 0);
    }

    private static Tensor weight(CpuBackend b, int rows, int cols) {
        return upload(b, rows, cols, rows == 1 ? WeightRole.VECTOR : WeightRole.MATMUL);
    }

    private static Tensor upload(CpuBackend b, int rows, int cols, WeightRole role) {
        MemorySegment data = Arena.ofAuto().allocate((long) rows * cols * Float.BYTES, 64);
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(ScalarKernels.F32, i, (float) rnd.nextDouble(-0.05, 0.05));
        }
        return b.upload(new WeightView("w", DType.F32, rows, cols, data), role, held);
    }

    private static Tensor activation(CpuBackend b, int rows, int cols) {
        Tensor t = b.allocate(rows, cols);
        float[] v = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        b.write(t, v);
        return t;
    }
}
