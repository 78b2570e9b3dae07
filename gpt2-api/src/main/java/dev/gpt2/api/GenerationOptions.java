package dev.gpt2.api;

import java.util.List;
import java.util.OptionalLong;

/**
 * What to generate and how.
 *
 * @param maxNewTokens     the most tokens to generate, at least 1
 * @param sampling         greedy, or temperature / top-k / top-p
 * @param seed             the seed of the sampling stream: the same seed, prompt, options and backend give the same
 *                         tokens on every run. Empty picks one at random; {@link Generation#seed()} reports it
 * @param stopStrings      generation stops when the text contains one of these; the text of the result and of the
 *                         stream ends before it (the ids keep every generated token)
 * @param stopAtEndOfText  stop when the model produces {@code <|endoftext|>} (not part of the text)
 * @param contextPolicy    what to do when prompt plus new tokens pass the context
 * @param tokenLogProbs    also report {@code ln p(token | sequence so far)} of every generated token, from the model's
 *                         distribution before temperature, top-k and top-p ({@link Generation#tokenLogProbs()})
 */
public record GenerationOptions(int maxNewTokens, Sampling sampling, OptionalLong seed, List<String> stopStrings,
                                boolean stopAtEndOfText, ContextPolicy contextPolicy, boolean tokenLogProbs) {

    /** Checks the token count and stop strings; copies the stop strings. */
    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        }
        java.util.Objects.requireNonNull(sampling, "sampling");
        java.util.Objects.requireNonNull(seed, "seed");
        java.util.Objects.requireNonNull(contextPolicy, "contextPolicy");
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
    }

    /** Options without per-token log-probabilities. */
    public GenerationOptions(int maxNewTokens, Sampling sampling, OptionalLong seed, List<String> stopStrings,
                             boolean stopAtEndOfText, ContextPolicy contextPolicy) {
        this(maxNewTokens, sampling, seed, stopStrings, stopAtEndOfText, contextPolicy, false);
    }

    /** 64 greedy tokens, stop at {@code <|endoftext|>}, no stop strings, fail on context overflow. */
    public static GenerationOptions defaults() {
        return new GenerationOptions(64, Sampling.greedy(), OptionalLong.empty(), List.of(), true, ContextPolicy.FAIL,
                false);
    }

    /** The most tokens to generate, at least 1. */
    public GenerationOptions withMaxNewTokens(int n) {
        return new GenerationOptions(n, sampling, seed, stopStrings, stopAtEndOfText, contextPolicy, tokenLogProbs);
    }

    /** Greedy or random sampling ({@link Sampling#greedy()}, {@link Sampling#random}). */
    public GenerationOptions withSampling(Sampling s) {
        return new GenerationOptions(maxNewTokens, s, seed, stopStrings, stopAtEndOfText, contextPolicy, tokenLogProbs);
    }

    /** The seed of the sampling stream: the same seed gives the same tokens. */
    public GenerationOptions withSeed(long s) {
        return new GenerationOptions(maxNewTokens, sampling, OptionalLong.of(s), stopStrings, stopAtEndOfText,
                contextPolicy, tokenLogProbs);
    }

    /** Texts that end the generation where they appear (none empty, none null). */
    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(maxNewTokens, sampling, seed, stops, stopAtEndOfText, contextPolicy,
                tokenLogProbs);
    }

    /** Whether to stop at {@code <|endoftext|>}; when false it is generated past, and its text is in the result. */
    public GenerationOptions withStopAtEndOfText(boolean stop) {
        return new GenerationOptions(maxNewTokens, sampling, seed, stopStrings, stop, contextPolicy, tokenLogProbs);
    }

    /** What to do when prompt plus new tokens pass the context: fail up front, or slide. */
    public GenerationOptions withContextPolicy(ContextPolicy policy) {
        return new GenerationOptions(maxNewTokens, sampling, seed, stopStrings, stopAtEndOfText, policy, tokenLogProbs);
    }

    /** Whether to report each generated token's log-probability. */
    public GenerationOptions withTokenLogProbs(boolean report) {
        return new GenerationOptions(maxNewTokens, sampling, seed, stopStrings, stopAtEndOfText, contextPolicy, report);
    }
}
