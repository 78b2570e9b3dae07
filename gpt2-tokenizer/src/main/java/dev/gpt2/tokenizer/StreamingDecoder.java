package dev.gpt2.tokenizer;

/**
 * Decodes a stream of ids, handing out text only once its UTF-8 bytes are complete: a character whose bytes are split
 * across tokens (an emoji is often two tokens) comes out whole, with the token that completes it. The text handed out
 * over a whole stream, {@link #finish()} included, equals {@link Gpt2Tokenizer#decode(int[])} of all its ids.
 * Not thread-safe: one decoder per stream ({@link Gpt2Tokenizer#streamingDecoder()}).
 */
public interface StreamingDecoder {
    /**
     * Adds one id; returns the text that became complete (possibly empty).
     *
     * @throws IllegalArgumentException when the id is out of the vocabulary's range
     */
    String push(int id);

    /**
     * Adds ids in order (a block of a long stream); returns the text that became complete (possibly empty). This
     * default pushes them one at a time; the decoder of {@link Gpt2Tokenizer#streamingDecoder()} checks the whole
     * block first (adding none of it when an id is out of range, which it names by its index among all the ids of
     * the stream) and converts it in one go.
     *
     * @throws IllegalArgumentException when an id is out of the vocabulary's range
     */
    default String push(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(push(id));
        }
        return text.toString();
    }

    /**
     * Ends the stream: returns what is left, an unfinished character as U+FFFD. The decoder is then empty and can
     * start a new stream.
     */
    String finish();
}
