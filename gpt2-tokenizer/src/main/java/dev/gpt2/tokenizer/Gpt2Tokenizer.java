package dev.gpt2.tokenizer;

import java.nio.file.Path;

/**
 * GPT-2's tokenizer. Immutable and thread-safe.
 *
 * <p>CONTRACT FOR THE SKELETON: the signatures below are what gpt2-core codes against; the implementation replaces
 * every body (and adds the rest of the API).
 */
public final class Gpt2Tokenizer {
    /** The id of {@code <|endoftext|>} in GPT-2's vocabulary. */
    public static final int END_OF_TEXT = 50256;

    private Gpt2Tokenizer() {
    }

    /** GPT-2's own vocabulary, bundled in this jar. */
    public static Gpt2Tokenizer gpt2() {
        throw new UnsupportedOperationException("skeleton");
    }

    /** A Hugging Face GPT-2-style tokenizer folder: {@code vocab.json} + {@code merges.txt}. */
    public static Gpt2Tokenizer fromFolder(Path folder) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** Number of ids: 50257 for GPT-2. */
    public int vocabSize() {
        throw new UnsupportedOperationException("skeleton");
    }

    /** Encodes text; {@code <|endoftext|>} in the text becomes id 50256, everything else is ordinary text. */
    public int[] encodeAllowingSpecial(String text) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** Encodes text, every special token treated as ordinary text. */
    public int[] encodeOrdinary(String text) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** Decodes ids; invalid UTF-8 becomes U+FFFD. */
    public String decode(int[] ids) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** The bytes of one token. */
    public byte[] tokenBytes(int id) {
        throw new UnsupportedOperationException("skeleton");
    }

    /** A decoder that hands out text only when its UTF-8 is complete. Not thread-safe; one per stream. */
    public StreamingDecoder streamingDecoder() {
        throw new UnsupportedOperationException("skeleton");
    }
}
