package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import dev.gpt2.core.Gpt2;
import dev.gpt2.core.Gpt2Model;
import dev.gpt2.core.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * A whole GPT-2 ({@code random:SIZE}: seeded random weights of the real shape) at batch 1 through the public API:
 * {@code prefill} of a prompt of {@code tokens} tokens to the logits of its last position, and {@code decode} of
 * {@code steps} tokens around {@code context} positions (the prefill before them untimed), greedy sampling included.
 */
@Fork(1)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ModelBenchmark {

    /** A model loaded on a backend. */
    @State(Scope.Benchmark)
    public abstract static class Loaded extends OnBackend.WithWeights {
        Gpt2Model gpt2;

        @Setup(Level.Trial)
        public void load() {
            Backends.check(backend, weightType());
            gpt2 = Gpt2.load("random:" + model, LoadOptions.defaults().withBackend(backend).withDType(weightType()));
            warmUp();
        }

        /**
         * Runs the benchmark's path untimed until the JIT has compiled it, before any iteration (here, in the one
         * trial setup, since JMH does not promise to run a subclass's setup after this one). Measured on 2 Zen 5 cores
         * (124M, f32): a first 512-token prefill took 3.5-4.5 s against 0.4-0.6 s for the next ones; a first 16-step
         * decode shot 1.9 s, the next ones falling from 314 to about 210 ms over five more. With {@code -wi 1} JMH
         * alone would time a JIT at work.
         */
        abstract void warmUp();

        @TearDown(Level.Trial)
        public void close() {
            gpt2.close();
        }
    }

    /** A prompt of {@code tokens} random ids. */
    @State(Scope.Benchmark)
    public static class Prefill extends Loaded {
        @Param({"128", "512", "1024"})
        public int tokens;

        int[] prompt;

        /** Makes the prompt and runs two prefills of it. */
        @Override
        void warmUp() {
            prompt = RandomData.ids(tokens, gpt2.config().vocabSize(), 5);
            for (int i = 0; i < 2; i++) {
                gpt2.nextTokenLogits(prompt);
            }
        }
    }

    /** A generation whose {@code steps} decode steps attend over {@code context} positions on average. */
    @State(Scope.Benchmark)
    public static class Decode extends Loaded {
        static final int WARM_UP_STEPS = 128;

        @Param({"128", "1000"})
        public int context;

        /** Decode steps per operation. */
        @Param("16")
        public int steps;

        SteppedGeneration generation;

        /** Runs the prefill (untimed): a prompt of {@code context - steps / 2} tokens. */
        @Setup(Level.Iteration)
        public void start() {
            int[] prompt = RandomData.ids(context - steps / 2, gpt2.config().vocabSize(), 6);
            generation = new SteppedGeneration(gpt2, prompt, steps);
        }

        @TearDown(Level.Iteration)
        public void finish() {
            generation.close();
        }

        /** Runs {@value #WARM_UP_STEPS} decode steps after a short prompt. */
        @Override
        void warmUp() {
            try (SteppedGeneration run = new SteppedGeneration(gpt2, RandomData.ids(16, gpt2.config().vocabSize(), 7),
                    WARM_UP_STEPS)) {
                run.step(WARM_UP_STEPS);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public float[] prefill(Prefill s) {
        return s.gpt2.nextTokenLogits(s.prompt);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public Decode decode(Decode s) {
        s.generation.step(s.steps);
        return s;
    }

    /** The work of one operation of {@code method} with these parameters. */
    static Work work(String method, Map<String, String> params) {
        ModelConfig c = ModelSize.parse(params.get("model")).config();
        DType dtype = DType.parse(params.get("dtype"));
        if (method.equals("prefill")) {
            int tokens = Integer.parseInt(params.get("tokens"));
            return new Work(Workload.prefillFlops(c, tokens), Workload.weightBytesPerToken(c, dtype), tokens,
                    Work.Bound.FP32_PEAK);
        }
        int steps = Integer.parseInt(params.get("steps"));
        int context = Integer.parseInt(params.get("context"));
        return new Work(0, (double) steps * Workload.decodeBytesPerToken(c, dtype, context), steps,
                Work.Bound.READ_BANDWIDTH);
    }
}
