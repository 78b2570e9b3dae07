package dev.gpt2.cli;

import dev.gpt2.api.ContextPolicy;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.core.Gpt2Model;
import dev.gpt2.core.Host;
import dev.gpt2.core.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.IntToDoubleFunction;

/**
 * {@code gpt2 bench}: prefill and decode speed at batch 1, each beside its bound on this machine: decode against the
 * read bandwidth (every weight and the KV cache are read once per token), prefill against the FP32 peak; the work is
 * counted by {@link Workload}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s at batch 1, beside the machine's limits (read bandwidth,"
                + " FP32 peak) as the backend measures them.")
final class BenchCommand implements Callable<Integer> {
    private static final Duration LIMITS_BUDGET = Duration.ofSeconds(2);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt-tokens", paramLabel = "P", defaultValue = "512",
            description = "Prompt length: the prefill (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "128",
            description = "Tokens generated after the prompt, at least 2: the decode (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--repetitions", paramLabel = "R", defaultValue = "3",
            description = "Timed runs after one warm-up run, each followed by a measurement of the limits; the"
                    + " medians are reported, and the fractions are medians of each run against its own limits"
                    + " (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--json", description = "One JSON object: {\"prefill_tokens_per_s\": x, \"decode_tokens_per_s\": y,"
            + " ...}.")
    boolean json;

    @Override
    public Integer call() {
        atLeast("--prompt-tokens", promptTokens, 1);
        atLeast("--new-tokens", newTokens, 2);
        atLeast("--repetitions", repetitions, 1);
        Map<String, Object> r = new LinkedHashMap<>();
        long loadStart = System.nanoTime();
        try (Gpt2Model model = modelOptions.load()) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            ModelConfig c = model.config();
            if (promptTokens + newTokens > c.nPositions()) {
                throw new IllegalArgumentException("--prompt-tokens " + promptTokens + " + --new-tokens " + newTokens
                        + " pass the model's context of " + c.nPositions() + " positions");
            }
            int[] prompt = new SplittableRandom(1).ints(promptTokens, 0, c.vocabSize()).toArray();
            GenerationOptions options = new GenerationOptions(newTokens, Sampling.greedy(), OptionalLong.of(1),
                    List.of(), false, ContextPolicy.FAIL);
            model.generate(GenerationRequest.of(prompt, options));   // warm-up
            // the decode steps attend over prompt + 1 .. prompt + new - 1 positions: their mean
            long decodeBytes = Workload.decodeBytesPerToken(c, model.info().dtype(), promptTokens + newTokens / 2);
            double prefillFlopsPerToken = Workload.prefillFlops(c, promptTokens) / promptTokens;
            double[] prefill = new double[repetitions];
            double[] decode = new double[repetitions];
            DeviceLimits[] limits = new DeviceLimits[repetitions];
            for (int i = 0; i < repetitions; i++) {
                Generation.Timings t = model.generate(GenerationRequest.of(prompt, options)).timings();
                prefill[i] = t.prefillTokensPerSecond();
                decode[i] = t.decodeTokensPerSecond();
                // each run's limits measured right after it: on a shared machine both move with the load
                limits[i] = model.measureLimits(LIMITS_BUDGET.dividedBy(repetitions)).orElse(null);
            }
            double prefillTps = median(prefill);
            double decodeTps = median(decode);
            long weightBytes = model.weightBytesPerToken();
            double prefillFlops = prefillFlopsPerToken * prefillTps;
            boolean measured = limits[repetitions - 1] != null;
            // each run against its own limits, then the median of those fractions
            IntToDoubleFunction read = i -> limits[i].readBytesPerSecond();
            IntToDoubleFunction typicalRead = i -> limits[i].typicalReadBytesPerSecond();
            IntToDoubleFunction peak = i -> limits[i].fp32FlopsPerSecond();
            Double readMedian = measured ? median(repetitions, read) : null;

            r.put("model", model.info().source());
            r.put("backend", model.info().backend());
            r.put("dtype", model.info().dtype().label());
            r.put("device", model.info().device());
            r.put("threads", new BackendConfig(modelOptions.threads).effectiveThreads());
            r.put("prompt_tokens", promptTokens);
            r.put("new_tokens", newTokens);
            r.put("repetitions", repetitions);
            r.put("load_seconds", loadSeconds);
            r.put("prefill_tokens_per_s", prefillTps);
            r.put("decode_tokens_per_s", decodeTps);
            r.put("prefill_gflops_per_s", prefillFlops / 1e9);
            r.put("weight_bytes_per_token", weightBytes);
            r.put("decode_bytes_per_token", decodeBytes);
            r.put("read_bandwidth_gb_per_s", measured ? readMedian / 1e9 : null);
            r.put("decode_bound_tokens_per_s", measured ? readMedian / decodeBytes : null);
            r.put("decode_fraction_of_bound", measured
                    ? median(repetitions, i -> decode[i] * decodeBytes / read.applyAsDouble(i)) : null);
            r.put("read_bandwidth_median_pass_gb_per_s", measured ? median(repetitions, typicalRead) / 1e9 : null);
            r.put("decode_fraction_of_median_read", measured
                    ? median(repetitions, i -> decode[i] * decodeBytes / typicalRead.applyAsDouble(i)) : null);
            r.put("fp32_peak_gflops_per_s", measured ? median(repetitions, peak) / 1e9 : null);
            r.put("prefill_fraction_of_peak", measured
                    ? median(repetitions, i -> prefill[i] * prefillFlopsPerToken / peak.applyAsDouble(i)) : null);
            r.put("limits_method", measured ? limits[repetitions - 1].method() : "not measured by this backend");
            r.put("cpu", Host.cpuModel().orElse(System.getProperty("os.arch")));
            r.put("cores", Runtime.getRuntime().availableProcessors());
            r.put("jdk", Host.jdk());
            r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.object(r));
        } else {
            r.forEach((name, value) -> out.printf("%-36s %s%n", name, value instanceof Double d
                    ? String.format(java.util.Locale.ROOT, "%.4g", d) : value == null ? "-" : value));
        }
        out.flush();
        return 0;
    }

    private static void atLeast(String option, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(option + " must be at least " + least + ", got " + value
                    + (option.equals("--new-tokens") ? " (the first new token comes from the prefill, the decode"
                    + " times the others)" : ""));
        }
    }

    /** The median of {@code f(0) .. f(n - 1)}. */
    private static double median(int n, IntToDoubleFunction f) {
        double[] values = new double[n];
        Arrays.setAll(values, f::applyAsDouble);
        return median(values);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
