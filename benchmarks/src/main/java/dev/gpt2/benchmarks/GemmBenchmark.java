package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
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

import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One matmul of GPT-2 through the backend SPI: {@code x [rows, K] . W [K, N] + b} at the shapes of a model (the four
 * of every block, and the logits against the tied embedding), the weight held as {@code dtype}. One row is decode
 * (bound by reading the weight), 512 rows is prefill (bound by the FP32 peak). Each operation ends by reading one
 * row back, so a backend that queues work (a GPU) is timed to the end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class GemmBenchmark extends OnBackend.WithWeights {

    @Param({"C_ATTN", "ATTN_PROJ", "C_FC", "MLP_PROJ", "LOGITS"})
    public GemmShape shape;

    /** Rows of x: 1 (decode) or a prompt (prefill). */
    @Param({"1", "512"})
    public int rows;

    private Backend compute;
    private Arena arena;
    private Tensor weight;
    private Tensor bias;
    private Tensor in;
    private Tensor out;
    private int[] rowIds;
    private float[] lastRow;

    @Setup
    public void setUp() {
        ModelConfig c = config();
        int k = shape.k(c);
        int n = shape.n(c);
        compute = Backends.open(backend, weightType());
        arena = Arena.ofShared();
        WeightView w = shape == GemmShape.LOGITS
                ? RandomData.weight(arena, "wte.weight", n, k, 1)
                : RandomData.weight(arena, shape.name().toLowerCase(java.util.Locale.ROOT) + ".weight", k, n, 1);
        weight = compute.upload(w, shape.role(), weightType());
        bias = compute.upload(RandomData.weight(arena, "bias", 1, n, 2), WeightRole.VECTOR, DType.F32);
        in = compute.allocate(rows, k);
        compute.write(in, RandomData.activations(rows * k, 3));
        out = compute.allocate(rows, n);
        rowIds = IntStream.range(0, rows).toArray();
        lastRow = new float[n];
    }

    @Benchmark
    public float matmul() {
        if (shape == GemmShape.LOGITS) {
            compute.logits(out, in, rowIds, weight);
        } else {
            compute.matmul(out, in, rows, weight, bias, Epilogue.STORE);
        }
        compute.read(out, rows - 1, 1, lastRow);
        return lastRow[0];
    }

    @TearDown
    public void tearDown() {
        compute.close();
        arena.close();
    }

    /** The work of one operation with these parameters. */
    static Work work(Map<String, String> params) {
        ModelConfig c = ModelSize.parse(params.get("model")).config();
        GemmShape s = GemmShape.valueOf(params.get("shape"));
        int r = Integer.parseInt(params.get("rows"));
        int k = s.k(c);
        int n = s.n(c);
        return new Work(Workload.matmulFlops(r, k, n), Workload.matrixBytes((long) k * n, DType.parse(params.get("dtype"))),
                0, r == 1 ? Work.Bound.READ_BANDWIDTH : Work.Bound.FP32_PEAK);
    }
}
