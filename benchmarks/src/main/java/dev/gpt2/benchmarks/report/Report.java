package dev.gpt2.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report over one or several runs: a Markdown file (the machines, the limits each backend measured, a table per
 * {@link Section} with the backends side by side) and an SVG chart of the same figures.
 */
public final class Report {
    private Report() {
    }

    /** Writes {@code NAME.md} and {@code NAME.svg} in {@code dir} over {@code runs}; returns the Markdown file. */
    public static Path write(List<Run> runs, Path dir, String name) throws IOException {
        List<Figure> figures = new ArrayList<>();
        List<String> labels = labels(runs);
        for (int i = 0; i < runs.size(); i++) {
            figures.addAll(Figures.of(runs.get(i), runs.size() == 1 ? "" : labels.get(i) + " · "));
        }
        Path svg = dir.resolve(name + ".svg");
        Files.writeString(svg, Chart.svg(figures), StandardCharsets.UTF_8);
        Path md = dir.resolve(name + ".md");
        Files.writeString(md, markdown(runs, labels, figures, svg.getFileName().toString()), StandardCharsets.UTF_8);
        return md;
    }

    /** Each run's label: its machine's id, with the date when one machine has several runs. */
    private static List<String> labels(List<Run> runs) {
        Map<String, Integer> perMachine = new LinkedHashMap<>();
        runs.forEach(r -> perMachine.merge(r.machine().id(), 1, Integer::sum));
        List<String> labels = new ArrayList<>();
        for (Run r : runs) {
            String id = r.machine().id();
            labels.add(perMachine.get(id) > 1 ? id + " " + r.date().substring(0, Math.min(16, r.date().length())) : id);
        }
        return labels;
    }

    static String markdown(List<Run> runs, List<String> labels, List<Figure> figures, String chart) {
        StringBuilder md = new StringBuilder("# Benchmark report\n\n");
        md.append("Made by `mvn -pl benchmarks jmh:run` (one machine) or `jmh:report` (the runs saved in a folder);")
                .append(" the numbers behind it are in the runs' JSON. Rates come from JMH's time per operation and")
                .append(" the work each operation does (`dev.gpt2.core.Workload`); the limits are what each backend")
                .append(" measured on its machine in the same run.\n\n");
        if (runs.stream().anyMatch(Run::quick)) {
            md.append("**Quick runs (one short iteration each) are smoke tests, not figures.**\n\n");
        }
        md.append("## Machines\n\n| machine | CPU | cores | memory | GPU | JDK | OS | date | run |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            Machine m = r.machine();
            md.append(row(labels.get(i), m.cpu(), Integer.toString(m.cores()),
                    m.memoryBytes() > 0 ? String.format(Locale.ROOT, "%.0f GiB", m.memoryBytes() / 0x1p30) : "-",
                    m.gpu(), m.jdk(), m.os(), r.date(), r.quick() ? "quick" : String.join(" ", r.jmhArgs())));
        }
        md.append("\n## Limits measured by each backend\n\n")
                .append("| machine | backend | device | read bandwidth | FP32 peak | how | note |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            for (Run.BackendRun b : runs.get(i).backends()) {
                md.append(row(labels.get(i), b.name(), b.device(),
                        b.readBytesPerSecond().isPresent()
                                ? Figures.format(b.readBytesPerSecond().getAsDouble() / 1e9) + " GB/s"
                                + (b.typicalReadBytesPerSecond().isPresent() ? " (median pass "
                                + Figures.format(b.typicalReadBytesPerSecond().getAsDouble() / 1e9) + ")" : "")
                                : "-",
                        b.fp32FlopsPerSecond().isPresent()
                                ? Figures.format(b.fp32FlopsPerSecond().getAsDouble() / 1e9) + " GFLOP/s" : "-",
                        b.limitsMethod(), (b.ran() ? "" : "skipped: ") + b.note()));
            }
        }
        for (Section section : Section.values()) {
            List<Figure> in = figures.stream().filter(f -> f.section() == section).toList();
            if (!in.isEmpty()) {
                md.append('\n').append(table(section, in));
            }
        }
        md.append("\n## Chart\n\n![the figures above as bars](").append(chart).append(")\n");
        return md.toString();
    }

    /** The section's table: a row per case, a column per series (backend or tokenizer). */
    private static String table(Section section, List<Figure> figures) {
        Set<String> series = new LinkedHashSet<>();
        Map<String, Map<String, Figure>> rows = new LinkedHashMap<>();
        for (Figure f : figures) {
            series.add(f.series());
            rows.computeIfAbsent(f.row(), k -> new LinkedHashMap<>()).put(f.series(), f);
        }
        StringBuilder t = new StringBuilder("## ").append(section.title()).append(" (").append(section.unit())
                .append(")\n\n");
        if (!section.note().isEmpty()) {
            t.append(Character.toUpperCase(section.note().charAt(0))).append(section.note().substring(1))
                    .append(".\n\n");
        }
        List<String> header = new ArrayList<>(List.of("case"));
        header.addAll(series);
        t.append(row(header.toArray(String[]::new)));
        t.append("|---").append("|---:".repeat(series.size())).append("|\n");
        rows.forEach((caseName, cells) -> {
            List<String> r = new ArrayList<>(List.of(caseName));
            for (String s : series) {
                Figure f = cells.get(s);
                r.add(f == null ? "-" : Figures.format(f.value()) + (f.limit().isEmpty() ? "" : " (" + f.limit() + ")"));
            }
            t.append(row(r.toArray(String[]::new)));
        });
        return t.toString();
    }

    private static String row(String... cells) {
        StringBuilder r = new StringBuilder("|");
        for (String c : cells) {
            r.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        return r.append('\n').toString();
    }
}
