package dev.gpt2.eval;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One number of an evaluation, beside the paper's number for the same model size when the paper gives one.
 *
 * @param key         a stable identifier within its task ({@code ppl}, {@code acc_stopword_filter}, ...), the JSON key
 * @param description what exactly was measured, in a few words
 * @param value       the measured value, in the unit's scale (percent for accuracies, F1, ROUGE and BLEU)
 * @param unit        how the value reads
 * @param paper       the paper's value for this model size, if it reports one
 */
public record MetricValue(String key, String description, double value, Unit unit, OptionalDouble paper) {

    public MetricValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(paper, "paper");
    }

    /** A value without a paper number yet. */
    public static MetricValue of(String key, String description, double value, Unit unit) {
        return new MetricValue(key, description, value, unit, OptionalDouble.empty());
    }

    public MetricValue withPaper(OptionalDouble p) {
        return new MetricValue(key, description, value, unit, p);
    }

    /** What a value measures, for display. */
    public enum Unit {
        /** Perplexity: lower is better. */
        PERPLEXITY("ppl", 2),
        /** Bits per byte: lower is better. */
        BITS_PER_BYTE("bpb", 3),
        /** Bits per character: lower is better. */
        BITS_PER_CHARACTER("bpc", 3),
        /** A percentage (accuracy, F1, exact match, ROUGE F1): higher is better. */
        PERCENT("%", 2),
        /** BLEU, 0 to 100: higher is better. */
        BLEU("BLEU", 2),
        /** A plain count. */
        COUNT("", 0);

        private final String label;
        private final int decimals;

        Unit(String label, int decimals) {
            this.label = label;
            this.decimals = decimals;
        }

        public String label() {
            return label;
        }

        /** The value with this unit's number of decimals. */
        public String format(double v) {
            if (Double.isNaN(v)) {
                return "n/a";
            }
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
