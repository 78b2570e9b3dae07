package dev.gpt2.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The figures as horizontal bars, a panel per section, a colour per series (backend or tokenizer); plain SVG. */
final class Chart {
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"};
    private static final int WIDTH = 1100;
    private static final int LABEL = 420;
    private static final int BARS = 380;
    private static final int BAR = 14;
    private static final int GAP = 6;

    private Chart() {
    }

    static String svg(List<Figure> figures) {
        Map<String, String> colours = new LinkedHashMap<>();
        for (Figure f : figures) {
            colours.computeIfAbsent(f.series(), s -> COLOURS[colours.size() % COLOURS.length]);
        }
        StringBuilder body = new StringBuilder();
        int y = 20;
        // the legend
        int x = 10;
        for (Map.Entry<String, String> c : colours.entrySet()) {
            body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 10, c.getValue(), x + 16, y, escape(c.getKey())));
            x += 30 + 8 * c.getKey().length();
        }
        y += 16;
        for (Section section : Section.values()) {
            List<Figure> in = figures.stream().filter(f -> f.section() == section).toList();
            if (in.isEmpty()) {
                continue;
            }
            double max = in.stream().mapToDouble(Figure::value).filter(Double::isFinite).max().orElse(1);
            y += 18;
            body.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s (%s)</text>%n", y,
                    escape(section.title()), escape(section.unit())));
            y += 8;
            Set<String> rows = new LinkedHashSet<>();
            in.forEach(f -> rows.add(f.row()));
            for (String row : rows) {
                body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                        LABEL - 6, y + BAR, escape(row)));
                for (Figure f : in) {
                    if (!f.row().equals(row)) {
                        continue;
                    }
                    double w = max > 0 && Double.isFinite(f.value()) ? BARS * f.value() / max : 0;
                    body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                                    + " fill=\"%s\"><title>%s</title></rect>"
                                    + "<text x=\"%.1f\" y=\"%d\">%s</text>%n", LABEL, y + 3, w, BAR - 2,
                            colours.get(f.series()), escape(f.series() + ": " + label(f)), LABEL + w + 4, y + BAR - 2,
                            escape(label(f))));
                    y += BAR;
                }
                y += GAP;
            }
        }
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\""
                + " fill=\"white\"/>%n%s</svg>%n", WIDTH, y + 20, body);
    }

    private static String label(Figure f) {
        return Figures.format(f.value()) + (f.limit().isEmpty() ? "" : " (" + f.limit() + ")");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
