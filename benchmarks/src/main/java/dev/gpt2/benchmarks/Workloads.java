package dev.gpt2.benchmarks;

import java.util.Map;
import java.util.Optional;

/** The work per operation of every benchmark that has one, by the benchmark's full name and parameters. */
public final class Workloads {
    private Workloads() {
    }

    /**
     * The work of one operation of {@code benchmark} ({@code dev.gpt2.benchmarks.GemmBenchmark.matmul}) with
     * {@code params}; empty for the benchmarks measured otherwise (the tokenizer's).
     */
    public static Optional<Work> of(String benchmark, Map<String, String> params) {
        int dot = benchmark.lastIndexOf('.');
        String type = benchmark.substring(0, dot);
        String method = benchmark.substring(dot + 1);
        if (type.equals(GemmBenchmark.class.getName())) {
            return Optional.of(GemmBenchmark.work(params));
        }
        if (type.equals(AttentionBenchmark.class.getName())) {
            return Optional.of(AttentionBenchmark.work(method, params));
        }
        if (type.equals(ModelBenchmark.class.getName())) {
            return Optional.of(ModelBenchmark.work(method, params));
        }
        return Optional.empty();
    }
}
