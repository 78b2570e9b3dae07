package dev.gpt2.tokenizer;

import java.util.Arrays;

/**
 * The result of an encode limited to a number of tokens: the first ids of the full encoding, as many as fit, less any
 * that would end inside a character, so that the ids stand for exactly the first {@code charsCovered} chars of the
 * text ({@code decode(ids)} equals {@code text.substring(0, charsCovered)} when the text has no lone surrogates).
 *
 * @param ids          the ids; the array belongs to the caller
 * @param truncated    whether ids were left out (false: {@code ids} is the whole encoding)
 * @param charsCovered how many chars (UTF-16 units) of the text the ids stand for
 * @param bytesCovered how many UTF-8 bytes of the text the ids stand for (a lone surrogate counts as U+FFFD, 3 bytes)
 */
public record TruncatedEncoding(int[] ids, boolean truncated, int charsCovered, long bytesCovered) {

    @Override
    public boolean equals(Object o) {
        return o instanceof TruncatedEncoding t && Arrays.equals(ids, t.ids) && truncated == t.truncated
                && charsCovered == t.charsCovered && bytesCovered == t.bytesCovered;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Long.hashCode(bytesCovered);
    }

    @Override
    public String toString() {
        return "TruncatedEncoding[ids=" + Arrays.toString(ids) + ", truncated=" + truncated + ", charsCovered="
                + charsCovered + ", bytesCovered=" + bytesCovered + "]";
    }
}
