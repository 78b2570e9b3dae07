package dev.gpt2.api;

/**
 * How to score a sequence.
 *
 * <p>A sequence longer than the context is scored with the sliding window of Hugging Face's perplexity guide: windows
 * of {@code n_positions} tokens whose starts advance by {@code stride}; each token t &ge; 1 is scored exactly once, in
 * the first window whose end passes it, with that window's earlier tokens as its context. The stride is below
 * {@code n_positions}, so that every scored token has at least one token of context in its window: a stride of
 * {@code n_positions - 1} is the fastest (windows overlap by one token, least context), a small stride gives each
 * token more context at more cost.
 *
 * @param stride           how far each window's start advances, in {@code [1, n_positions)}; 0 means
 *                         {@code n_positions / 2}. A larger stride is a {@link Gpt2Exception} of kind
 *                         {@code INVALID_ARGUMENT} when scoring
 * @param tokenLogProbs    keep the log-probability of every token in the result
 * @param prependEndOfText score the text after an {@code <|endoftext|>}, so that its first token is scored too (as
 *                         lm-evaluation-harness does for rolling log-likelihoods)
 */
public record ScoreOptions(int stride, boolean tokenLogProbs, boolean prependEndOfText) {

    /** Checks the stride (its upper bound, the model's context, is checked when scoring). */
    public ScoreOptions {
        if (stride < 0) {
            throw new IllegalArgumentException("stride must be 0 (half the context) or positive, got " + stride);
        }
    }

    /** Stride half the context, no per-token log-probabilities, nothing prepended. */
    public static ScoreOptions defaults() {
        return new ScoreOptions(0, false, false);
    }

    /** The sliding window's stride; 0 for half the context. */
    public ScoreOptions withStride(int s) {
        return new ScoreOptions(s, tokenLogProbs, prependEndOfText);
    }

    /** Whether the result keeps every token's log-probability. */
    public ScoreOptions withTokenLogProbs(boolean keep) {
        return new ScoreOptions(stride, keep, prependEndOfText);
    }

    /** Whether to score after a prepended {@code <|endoftext|>}, so that the first token is scored too. */
    public ScoreOptions withPrependEndOfText(boolean prepend) {
        return new ScoreOptions(stride, tokenLogProbs, prepend);
    }
}
