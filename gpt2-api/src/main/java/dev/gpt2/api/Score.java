package dev.gpt2.api;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How well the model predicts a sequence. Natural logarithms throughout.
 *
 * @param tokens        the number of ids in the sequence (after any prepended {@code <|endoftext|>})
 * @param scoredTokens  the number of ids scored: {@code tokens - 1}
 * @param nllSum        the sum over t &ge; 1 of {@code -ln p(id_t | ids_<t)}
 * @param tokenLogProbs if asked for, {@code ln p(id_t | ids_<t)} at index t, with NaN at index 0; else empty
 * @param textBytes     the UTF-8 length of the scored text when a text was scored, else empty
 */
public record Score(int tokens, int scoredTokens, double nllSum, double[] tokenLogProbs, OptionalDouble textBytes) {

    /** Checks the counts and copies the log-probabilities. */
    public Score {
        if (tokens < 0 || scoredTokens < 0 || scoredTokens > tokens) {
            throw new IllegalArgumentException("a score needs 0 <= scoredTokens <= tokens, got " + scoredTokens
                    + " of " + tokens);
        }
        tokenLogProbs = tokenLogProbs.clone();
        Objects.requireNonNull(textBytes, "textBytes (OptionalDouble.empty() when ids were scored)");
    }

    /** A copy of the per-token log-probabilities (empty unless asked for). */
    @Override
    public double[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    /** {@code exp(nllSum / scoredTokens)}; NaN when nothing was scored (a single token). */
    public double perplexity() {
        return scoredTokens == 0 ? Double.NaN : Math.exp(nllSum / scoredTokens);
    }

    /**
     * Bits per UTF-8 byte of the text, {@code nllSum / ln 2 / bytes}; empty when ids were scored or nothing was
     * (a text of one token). The bytes are the whole text's, while its first token is scored only after a prepended
     * {@code <|endoftext|>} ({@link ScoreOptions#withPrependEndOfText}): prepend it for a figure comparable with the
     * paper's.
     */
    public OptionalDouble bitsPerByte() {
        if (textBytes.isEmpty() || textBytes.getAsDouble() == 0 || scoredTokens == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(nllSum / Math.log(2) / textBytes.getAsDouble());
    }
}
