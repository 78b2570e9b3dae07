package dev.gpt2.eval;

import dev.gpt2.api.ModelSize;
import tools.jackson.jr.ob.JSON;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of an evaluation.
 *
 * @param task     the task
 * @param model    the model as loaded ({@code ModelInfo.source()})
 * @param size     the released GPT-2 size of the model's shape, if it is one: the paper's column to compare with
 * @param done     items evaluated
 * @param total    items there were to evaluate (after {@code --limit})
 * @param unit     what an item is
 * @param stopped  whether the run was stopped before the end
 * @param metrics  the numbers, each beside the paper's
 * @param notes    what qualifies the numbers
 * @param elapsed  how long it took
 */
public record EvalResult(Task task, String model, Optional<ModelSize> size, long done, long total, String unit,
                         boolean stopped, List<MetricValue> metrics, List<String> notes, Duration elapsed) {

    public EvalResult {
        metrics = List.copyOf(metrics);
        notes = List.copyOf(notes);
    }

    /** Whether every item was evaluated. */
    public boolean complete() {
        return !stopped && done == total;
    }

    /** The result as an aligned text table with a header and notes. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(task.id()).append(": ").append(task.title()).append('\n');
        sb.append("model ").append(model).append(", ").append(sizeText()).append('\n');
        sb.append(String.format(Locale.ROOT, "%d/%d %s%s in %s%n", done, total, unit,
                stopped ? " (stopped: partial result)" : "", Progress.format(elapsed)));
        String paperHeader = "paper " + size.map(ModelSize::paperLabel).orElse("(n/a)");
        int width = Math.max(6, metrics.stream().mapToInt(m -> m.description().length()).max().orElse(0));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s  %10s  %12s  %s%n", "metric", "value", paperHeader,
                "unit"));
        for (MetricValue m : metrics) {
            String paper = m.paper().isPresent() ? m.unit().format(m.paper().getAsDouble()) : "n/a";
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %10s  %12s  %s%n", m.description(),
                    m.unit().format(m.value()), paper, m.unit().label()));
        }
        if (metrics.isEmpty()) {
            sb.append("(no item was evaluated)\n");
        }
        sb.append("paper: Radford et al. 2019, ").append(task.paperSource()).append('\n');
        for (String note : notes) {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    /** The result as one JSON object; a missing paper value is {@code null}. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("task", task.id());
        root.put("model", model);
        root.put("size", size.map(ModelSize::label).orElse(null));
        root.put("paper_size", size.map(ModelSize::paperLabel).orElse(null));
        root.put("items", done);
        root.put("items_total", total);
        root.put("unit", unit);
        root.put("stopped", stopped);
        root.put("seconds", elapsed.toMillis() / 1000.0);
        Map<String, Object> values = new LinkedHashMap<>();
        for (MetricValue m : metrics) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("value", finite(m.value()));
            v.put("paper", m.paper().isPresent() ? m.paper().getAsDouble() : null);
            v.put("unit", m.unit().label());
            v.put("description", m.description());
            values.put(m.key(), v);
        }
        root.put("metrics", values);
        root.put("notes", notes);
        root.put("paper_source", "Radford et al. 2019, " + task.paperSource());
        return JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(root);
    }

    private String sizeText() {
        return size.map(s -> "GPT-2 " + s.label() + " (the paper's " + s.paperLabel() + ")")
                .orElse("not a released GPT-2 size: no paper value to compare with");
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
