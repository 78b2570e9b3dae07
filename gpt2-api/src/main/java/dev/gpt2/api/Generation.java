package dev.gpt2.api;

/**
 * The result of one generation.
 *
 * @param ids        the generated token ids (not the prompt), including an {@code <|endoftext|>} or stop-string
 *                   token that ended it
 * @param text       the generated text, ending before a stop string; an {@code <|endoftext|>} that ended the
 *                   generation is not in it (one generated with {@link GenerationOptions#stopAtEndOfText()} false
 *                   reads as the literal {@code <|endoftext|>})
 * @param stopReason why it ended
 * @param seed       the seed of the sampling stream (the one given, or the one picked)
 * @param timings    where the time went
 * @param tokenLogProbs when {@link GenerationOptions#tokenLogProbs()} asked for them, {@code ln p(ids[i] | everything
 *                   before it)} at index i, from the model's distribution before temperature, top-k and top-p; else
 *                   empty
 */
public record Generation(int[] ids, String text, StopReason stopReason, long seed, Timings timings,
                         double[] tokenLogProbs) {

    /** Copies the arrays. */
    public Generation {
        ids = ids.clone();
        tokenLogProbs = tokenLogProbs.clone();
    }

    /** A result without per-token log-probabilities. */
    public Generation(int[] ids, String text, StopReason stopReason, long seed, Timings timings) {
        this(ids, text, stopReason, seed, timings, new double[0]);
    }

    /** A copy of the generated ids. */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** A copy of the per-token log-probabilities (empty unless asked for). */
    @Override
    public double[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    /**
     * Wall-clock time of the two phases.
     *
     * @param prefillTokens tokens computed in prefill (the prompt, plus any recomputation after a slide)
     * @param prefillNanos  time spent in prefill
     * @param decodeTokens  tokens computed one at a time against the cache
     * @param decodeNanos   time spent in decode, sampling included
     */
    public record Timings(int prefillTokens, long prefillNanos, int decodeTokens, long decodeNanos) {
        /** Prefill tokens per second; 0 when no time was measured. */
        public double prefillTokensPerSecond() {
            return prefillNanos == 0 ? 0 : prefillTokens * 1e9 / prefillNanos;
        }

        /** Decode tokens per second; 0 when no time was measured. */
        public double decodeTokensPerSecond() {
            return decodeNanos == 0 ? 0 : decodeTokens * 1e9 / decodeNanos;
        }
    }
}
