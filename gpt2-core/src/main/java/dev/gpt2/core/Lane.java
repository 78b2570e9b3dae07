package dev.gpt2.core;

import dev.gpt2.api.spi.KvCache;

/**
 * One sequence's part in forward passes: its KV cache, how many positions the cache holds, the tokens still to run
 * and which of them need logits.
 */
final class Lane {
    final KvCache cache;
    /** Positions already in the cache; the next token runs at this position. */
    int past;
    /** Tokens to run, at positions {@code past ..}. */
    int[] pending = new int[0];
    /** How many of {@link #pending} have run. */
    int fed;
    /** The indices of {@link #pending} whose logits are wanted: {@code [logitsFrom, logitsTo)}. */
    int logitsFrom;
    int logitsTo;

    Lane(KvCache cache) {
        this.cache = cache;
    }

    /** Runs {@code tokens} next, at positions {@code past ..}, with logits wanted for indices [from, to). */
    void feed(int[] tokens, int from, int to) {
        if (past + tokens.length > cache.capacity()) {
            throw new IllegalStateException("the cache holds " + cache.capacity() + " positions; " + past + " + "
                    + tokens.length + " do not fit");
        }
        pending = tokens;
        fed = 0;
        logitsFrom = from;
        logitsTo = to;
    }

    /** Runs {@code tokens} next, with the logits of the last one wanted (to choose the token after them). */
    void feed(int... tokens) {
        feed(tokens, tokens.length - 1, tokens.length);
    }

    boolean hasPending() {
        return fed < pending.length;
    }
}
