package dev.gpt2.tokenizer;

/**
 * A special token that the {@link SpecialTokenPolicy} does not allow was found in the text to encode. Names the token
 * and the char offset of its first occurrence, and says how to proceed.
 */
public final class DisallowedSpecialTokenException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The special token found. */
    private final String token;
    /** The char offset (UTF-16 index) of its first occurrence in the text (from the start of a stream). */
    private final long offset;

    DisallowedSpecialTokenException(String token, long offset) {
        super("the text contains the special token " + token + " at char offset " + offset
                + ", which the special-token policy does not allow: allow it (SpecialTokenPolicy.allow(\"" + token
                + "\")) or encode it as ordinary text (SpecialTokenPolicy.ordinary())");
        this.token = token;
        this.offset = offset;
    }

    /** The special token found, e.g. {@code <|endoftext|>}. */
    public String token() {
        return token;
    }

    /**
     * The char offset (UTF-16 index into the text) of its first occurrence; for a {@link StreamingEncoder}, counted
     * from the start of the stream.
     */
    public long offset() {
        return offset;
    }
}
