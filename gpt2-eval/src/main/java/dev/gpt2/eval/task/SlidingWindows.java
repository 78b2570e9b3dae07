package dev.gpt2.eval.task;

import java.util.ArrayList;
import java.util.List;

/**
 * The sliding window of Hugging Face's perplexity guide, the one {@link dev.gpt2.api.ScoreOptions} documents:
 * windows of at most {@code context} tokens whose starts advance by {@code stride}; each position t &ge; 1 is scored
 * exactly once, in the first window whose end passes it, with that window's earlier tokens as its context.
 */
public final class SlidingWindows {
    private SlidingWindows() {
    }

    /**
     * One window: the model reads ids {@code [begin, end)} and positions {@code [scoreFrom, end)} count.
     *
     * @param begin     first id the model reads
     * @param end       one past the last id
     * @param scoreFrom first position whose log-probability counts; positions before it were scored by earlier
     *                  windows (or, for position 0, cannot be)
     */
    public record Window(int begin, int end, int scoreFrom) {
        /** Positions scored in this window. */
        public int scored() {
            return end - scoreFrom;
        }
    }

    /** The windows over a sequence of {@code length} ids. */
    public static List<Window> plan(int length, int context, int stride) {
        if (context < 2) {
            throw new IllegalArgumentException("the context must hold at least 2 tokens, got " + context);
        }
        if (stride < 1 || stride >= context) {
            throw new IllegalArgumentException("--stride must be between 1 and " + (context - 1)
                    + " (the context is " + context + " tokens), got " + stride);
        }
        List<Window> windows = new ArrayList<>();
        int previousEnd = 1;
        for (int begin = 0; previousEnd < length; begin += stride) {
            int end = Math.min(begin + context, length);
            windows.add(new Window(begin, end, previousEnd));
            previousEnd = end;
        }
        return windows;
    }
}
