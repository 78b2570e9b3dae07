package dev.gpt2.tokenizer;

/**
 * Decodes a stream of ids, handing out text only once its UTF-8 bytes are complete.
 *
 * <p>CONTRACT FOR THE SKELETON: the signatures below are what gpt2-core codes against.
 */
public interface StreamingDecoder {
    /** Adds one id; returns the text that became complete (possibly empty). */
    String push(int id);

    /** Ends the stream: returns what is left, incomplete bytes as U+FFFD. */
    String finish();
}
