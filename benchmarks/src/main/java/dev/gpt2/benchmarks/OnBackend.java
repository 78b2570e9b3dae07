package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The parameters of a benchmark that runs on a backend at a model's shapes. */
@State(Scope.Benchmark)
public abstract class OnBackend {
    /** The backend, by name; the suite passes each available one. */
    @Param({"vector", "openblas", "cuda"})
    public String backend;

    /** The GPT-2 size whose shapes are used: 124M, 355M, 774M or 1558M. */
    @Param("124M")
    public String model;

    ModelConfig config() {
        return ModelSize.parse(model).config();
    }

    /** The parameters of a benchmark whose weights a backend holds as {@code dtype}. */
    @State(Scope.Benchmark)
    public abstract static class WithWeights extends OnBackend {
        /** How the weights are held; the suite skips what the backend does not hold. */
        @Param({"f32", "f16", "bf16", "q8"})
        public String dtype;

        DType weightType() {
            return DType.parse(dtype);
        }
    }
}
