package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.core.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Causal multi-head attention through the backend SPI, in every layer of a model (one operation = what one forward
 * pass does in attention): {@code prefill} of a prompt into an empty cache (bound by the FP32 peak), {@code decode} of
 * one position over a cache of {@code context} positions (bound by reading the cache). Each operation ends by reading
 * one row back.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AttentionBenchmark {

    /** A backend with a model's KV cache and q, k, v rows. */
    @State(Scope.Benchmark)
    public abstract static class Layers extends OnBackend {
        ModelConfig config;
        Backend compute;
        KvCache cache;
        Tensor qkv;
        Tensor out;
        float[] lastRow;

        /** Opens the backend with {@code rows} rows of random q, k, v and a cache of {@code capacity} positions. */
        void open(int rows, int capacity) {
            config = config();
            int c = config.nEmbd();
            compute = Backends.open(backend, DType.F32);
            cache = compute.allocateCache(config.nLayer(), config.nHead(), config.headDim(), capacity);
            qkv = compute.allocate(rows, 3 * c);
            compute.write(qkv, RandomData.activations(rows * 3 * c, 4));
            out = compute.allocate(rows, c);
            lastRow = new float[c];
        }

        /** Attention of {@code rows} new positions after {@code past} cached ones, in every layer. */
        float attend(int rows, int past) {
            AttentionBatch batch = AttentionBatch.single(cache, rows, past);
            for (int layer = 0; layer < config.nLayer(); layer++) {
                compute.attention(out, qkv, layer, batch);
            }
            compute.read(out, rows - 1, 1, lastRow);
            return lastRow[0];
        }

        @TearDown
        public void close() {
            compute.close();
        }
    }

    /** A prompt of {@code tokens} positions. */
    @State(Scope.Benchmark)
    public static class Prefill extends Layers {
        @Param("512")
        public int tokens;

        @Setup
        public void setUp() {
            open(tokens, tokens);
        }
    }

    /** One new position after {@code context - 1} cached ones: it attends over {@code context} positions. */
    @State(Scope.Benchmark)
    public static class Decode extends Layers {
        @Param({"128", "1000"})
        public int context;

        @Setup
        public void setUp() {
            open(context - 1, context);
            attend(context - 1, 0);   // fills the cache
        }
    }

    @Benchmark
    public float prefill(Prefill s) {
        return s.attend(s.tokens, 0);
    }

    @Benchmark
    public float decode(Decode s) {
        return s.attend(1, s.context - 1);
    }

    /** The work of one operation of {@code method} with these parameters. */
    static Work work(String method, Map<String, String> params) {
        ModelConfig c = ModelSize.parse(params.get("model")).config();
        if (method.equals("prefill")) {
            return new Work(Workload.attentionFlops(c, Integer.parseInt(params.get("tokens")), 0), 0, 0,
                    Work.Bound.FP32_PEAK);
        }
        int context = Integer.parseInt(params.get("context"));
        return new Work(Workload.attentionFlops(c, 1, context - 1), Workload.kvCacheBytes(c, context), 0,
                Work.Bound.READ_BANDWIDTH);
    }
}
