package dev.gpt2.benchmarks.report;

import dev.gpt2.benchmarks.Work;
import dev.gpt2.benchmarks.Workloads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** Turns JMH's results of a run into figures: rates from the work per operation, beside the backend's limits. */
public final class Figures {
    private static final String PACKAGE = "dev.gpt2.benchmarks.";

    private Figures() {
    }

    /**
     * Every figure of {@code run}: a row per case, a series per backend (or tokenizer), its name after
     * {@code seriesPrefix} (the machine, when runs of several machines share the tables).
     */
    public static List<Figure> of(Run run, String seriesPrefix) {
        List<Figure> figures = new ArrayList<>();
        for (Map<String, Object> result : run.results()) {
            figures.add(figure(run, seriesPrefix, result));
        }
        return figures;
    }

    @SuppressWarnings("unchecked")
    private static Figure figure(Run run, String seriesPrefix, Map<String, Object> result) {
        String benchmark = String.valueOf(result.get("benchmark"));
        Map<String, String> params = new LinkedHashMap<>();
        if (result.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<String, Object> primary = (Map<String, Object>) result.get("primaryMetric");
        double score = number(primary.get("score"));
        String unit = String.valueOf(primary.get("scoreUnit"));
        String name = benchmark.startsWith(PACKAGE) ? benchmark.substring(PACKAGE.length()) : benchmark;
        String type = name.substring(0, name.lastIndexOf('.'));
        String method = name.substring(name.lastIndexOf('.') + 1);

        if (type.equals("TokenizerBenchmark")) {
            Map<String, Object> secondary = (Map<String, Object>) result.get("secondaryMetrics");
            Map<String, Object> bytes = (Map<String, Object>) secondary.get("bytes");
            double mbPerSecond = number(bytes.get("score")) / secondsOf(String.valueOf(bytes.get("scoreUnit")))
                    / 1e6;
            return new Figure(Section.TOKENIZER, operation(method), seriesPrefix + implementation(method),
                    mbPerSecond, "");
        }
        if (type.equals("TokenizerLoadBenchmark")) {
            return new Figure(Section.TOKENIZER_LOAD, operation(method), seriesPrefix + implementation(method),
                    secondsPerOp(score, unit) * 1e3, "");
        }
        Optional<Work> work = Workloads.of(benchmark, params);
        String backend = params.getOrDefault("backend", "-");
        String row = caseOf(params);
        String series = seriesPrefix + backend;
        if (work.isEmpty()) {
            return new Figure(Section.OTHER, name + " " + row, series, score, unit);
        }
        Work w = work.get();
        double seconds = secondsPerOp(score, unit);
        Optional<Run.BackendRun> b = run.backend(backend);
        OptionalDouble peak = b.map(Run.BackendRun::fp32FlopsPerSecond).orElse(OptionalDouble.empty());
        OptionalDouble read = b.map(Run.BackendRun::readBytesPerSecond).orElse(OptionalDouble.empty());
        OptionalDouble typical = b.map(Run.BackendRun::typicalReadBytesPerSecond).orElse(OptionalDouble.empty());
        return switch (type + "." + method) {
            case "ModelBenchmark.decode" -> new Figure(Section.DECODE, row, series, w.tokens() / seconds,
                    read.isEmpty() ? "" : percent(w.fractionOf(read.getAsDouble(), seconds)) + " of "
                            + format(read.getAsDouble() / (w.bytes() / w.tokens()))
                            + (typical.isEmpty() ? "" : "; " + percent(w.fractionOf(typical.getAsDouble(), seconds))
                            + " of the median read"));
            case "ModelBenchmark.prefill" -> new Figure(Section.PREFILL, row, series, w.tokens() / seconds,
                    format(w.flops() / seconds / 1e9) + " GFLOP/s" + (peak.isEmpty() ? ""
                            : ", " + percent(w.fractionOf(peak.getAsDouble(), seconds)) + " of peak"));
            case "AttentionBenchmark.prefill" -> rate(Section.ATTENTION_PREFILL, row, series, w, seconds, peak);
            case "AttentionBenchmark.decode" -> rate(Section.ATTENTION_DECODE, row, series, w, seconds, read);
            default -> w.bound() == Work.Bound.FP32_PEAK ? rate(Section.GEMM, row, series, w, seconds, peak)
                    : rate(Section.GEMV, row, series, w, seconds, read);
        };
    }

    /** GFLOP/s or GB/s, as the bound says, beside the fraction of the limit. */
    private static Figure rate(Section section, String row, String series, Work w, double seconds,
                               OptionalDouble limit) {
        double perSecond = (w.bound() == Work.Bound.FP32_PEAK ? w.flops() : w.bytes()) / seconds;
        return new Figure(section, row, series, perSecond / 1e9,
                limit.isEmpty() ? "" : percent(w.fractionOf(limit.getAsDouble(), seconds)));
    }

    /** "124M, f32, tokens 512": the model and the dtype, then every other parameter but the backend, by name. */
    private static String caseOf(Map<String, String> params) {
        List<String> parts = new ArrayList<>();
        Optional.ofNullable(params.get("model")).ifPresent(parts::add);
        Optional.ofNullable(params.get("dtype")).ifPresent(parts::add);
        new TreeMap<>(params).forEach((k, v) -> {
            if (!List.of("backend", "model", "dtype").contains(k)) {
                parts.add(k + " " + v);
            }
        });
        return String.join(", ", parts);
    }

    /** encodeGpt2Java -> encode, loadAndEncodeJtokkit -> loadAndEncode. */
    private static String operation(String method) {
        return method.replaceFirst("(Gpt2Java|Jtokkit)$", "");
    }

    private static String implementation(String method) {
        return method.endsWith("Jtokkit") ? "jtokkit" : "gpt2-java";
    }

    /** Seconds per operation from a JMH score: {@code us/op} and the like, or {@code ops/s} and the like. */
    static double secondsPerOp(double score, String unit) {
        if (unit.endsWith("/op")) {
            return score * secondsOf(unit.substring(0, unit.length() - 3));
        }
        if (unit.startsWith("ops/")) {
            return secondsOf(unit.substring(4)) / score;
        }
        throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
    }

    /** The length of a JMH time unit in seconds: ns, us, ms, s, min, hr, day. */
    private static double secondsOf(String unit) {
        return switch (unit.startsWith("ops/") ? unit.substring(4) : unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            case "hr" -> 3600;
            case "day" -> 86400;
            default -> throw new IllegalArgumentException("unknown JMH time unit '" + unit + "'");
        };
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
    }

    /** "46%", or "0.4%" below 10%. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, fraction < 0.1 ? "%.1f%%" : "%.0f%%", 100 * fraction);
    }

    /** Three significant digits, no exponent below a million: 0.123, 12.3, 1234. */
    static String format(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return String.valueOf(x);
        }
        double a = Math.abs(x);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        return String.format(Locale.ROOT, a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g", x);
    }
}
