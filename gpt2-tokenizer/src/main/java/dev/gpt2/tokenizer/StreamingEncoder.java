package dev.gpt2.tokenizer;

/**
 * Encodes a text that arrives in parts (a file read block by block, a socket) while holding only a bounded part of it:
 * the ids handed out over a whole stream, {@link #finish()} included, are exactly
 * {@link Gpt2Tokenizer#encode(String, SpecialTokenPolicy)} of the whole text.
 *
 * <p>The encoder holds what it is given until it has about two million chars, then encodes them up to the last place
 * where GPT-2's pre-split pattern has a piece boundary whatever text follows (where a letter, number or other run
 * meets whitespace or a run of another class, outside any special token), on several threads as
 * {@link Gpt2Tokenizer#encodeParallel} does, and keeps the rest. Prose in any script, code and data have such places
 * every few chars; a text without one (a single run of letters, say, millions long) is held until it has one or ends.
 * After an exception the stream is over: the encoder is empty and can start a new one. Not thread-safe: one encoder
 * per stream ({@link Gpt2Tokenizer#streamingEncoder}).
 */
public interface StreamingEncoder {
    /**
     * Adds the next part of the text; returns the ids that became final (often none).
     *
     * @throws DisallowedSpecialTokenException the text contains a special token the policy does not allow; its offset
     *                                         counts from the start of the stream
     */
    int[] push(CharSequence text);

    /**
     * Ends the stream: returns the ids of what is held. The encoder is then empty and can start a new stream.
     *
     * @throws DisallowedSpecialTokenException as {@link #push}
     */
    int[] finish();
}
