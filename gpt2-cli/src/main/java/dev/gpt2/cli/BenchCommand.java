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
import dev.gpt2.core.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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
            description = "Tokens generated after the prompt: the decode (default: ${DEFAULT-VALUE}).")
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
        if (promptTokens < 1 || newTokens < 2 || repetitions < 1) {
            throw new IllegalArgumentException("bench needs --prompt-tokens >= 1, --new-tokens >= 2 and"
                    + " --repetitions >= 1");
        }
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
            double[] read = new double[repetitions];
            double[] typicalRead = new double[repetitions];
            double[] peak = new double[repetitions];
            double[] decodeFraction = new double[repetitions];
            double[] decodeTypicalFraction = new double[repetitions];
            double[] prefillFraction = new double[repetitions];
            Optional<DeviceLimits> limits = Optional.empty();
            for (int i = 0; i < repetitions; i++) {
                Generation.Timings t = model.generate(GenerationRequest.of(prompt, options)).timings();
                prefill[i] = t.prefillTokensPerSecond();
                decode[i] = t.decodeTokensPerSecond();
                // each run's limits measured right after it: on a shared machine both move with the load
                limits = model.measureLimits(LIMITS_BUDGET.dividedBy(repetitions));
                if (limits.isPresent()) {
                    read[i] = limits.get().readBytesPerSecond();
                    typicalRead[i] = limits.get().typicalReadBytesPerSecond();
                    peak[i] = limits.get().fp32FlopsPerSecond();
                    decodeFraction[i] = decode[i] * decodeBytes / read[i];
                    decodeTypicalFraction[i] = decode[i] * decodeBytes / typicalRead[i];
                    prefillFraction[i] = prefill[i] * prefillFlopsPerToken / peak[i];
                }
            }
            double prefillTps = median(prefill);
            double decodeTps = median(decode);
            long weightBytes = model.weightBytesPerToken();
            double prefillFlops = prefillFlopsPerToken * prefillTps;
            boolean measured = limits.isPresent();
            Double readMedian = measured ? median(read) : null;

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
            r.put("decode_fraction_of_bound", measured ? median(decodeFraction) : null);
            r.put("read_bandwidth_median_pass_gb_per_s", measured ? median(typicalRead) / 1e9 : null);
            r.put("decode_fraction_of_median_read", measured ? median(decodeTypicalFraction) : null);
            r.put("fp32_peak_gflops_per_s", measured ? median(peak) / 1e9 : null);
            r.put("prefill_fraction_of_peak", measured ? median(prefillFraction) : null);
            r.put("limits_method", limits.map(DeviceLimits::method).orElse("not measured by this backend"));
            r.put("cpu", cpuModel());
            r.put("cores", Runtime.getRuntime().availableProcessors());
            r.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
            r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.object(r));
        } else {
            r.forEach((name, value) -> out.printf("%-26s %s%n", name, value instanceof Double d
                    ? String.format(java.util.Locale.ROOT, "%.4g", d) : value == null ? "-" : value));
        }
        out.flush();
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The CPU's model name on Linux, else the architecture. */
    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                Optional<String> name = lines.filter(l -> l.startsWith("model name")).findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim());
                if (name.isPresent()) {
                    return name.get();
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                return System.getProperty("os.arch");
            }
        }
        return System.getProperty("os.arch");
    }
}
