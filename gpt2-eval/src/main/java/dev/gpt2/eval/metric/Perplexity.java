package dev.gpt2.eval.metric;

/**
 * Language-modelling quantities from a total negative log-likelihood (natural log) and a count of canonical units.
 *
 * <p>The paper (section 3.1) reports "the average negative log probability per canonical prediction unit - usually a
 * character, a byte, or a word": the log-probability of the whole dataset under the model divided by the number of
 * units of the dataset, not by the number of BPE tokens the model predicted.
 */
public final class Perplexity {
    private static final double LN2 = Math.log(2);

    private Perplexity() {
    }

    /** {@code exp(nll / units)}: perplexity per unit (word or token). */
    public static double perplexity(double nll, double units) {
        requireUnits(units);
        return Math.exp(nll / units);
    }

    /** {@code nll / ln 2 / units}: bits per unit (byte or character). */
    public static double bitsPerUnit(double nll, double units) {
        requireUnits(units);
        return nll / LN2 / units;
    }

    private static void requireUnits(double units) {
        if (!(units > 0)) {
            throw new IllegalArgumentException("the number of units must be positive, got " + units);
        }
    }
}
