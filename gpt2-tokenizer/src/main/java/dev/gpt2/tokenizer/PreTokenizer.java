package dev.gpt2.tokenizer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * GPT-2's pre-split pattern, hand-written:
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, with the semantics of the
 * Python {@code regex} module that OpenAI's {@code encoder.py} uses: code points (supplementary planes included),
 * {@code \p{L}} = Lu Ll Lt Lm Lo, {@code \p{N}} = Nd Nl No, {@code \s} = Unicode White_Space (U+0009..U+000D, U+0020,
 * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), case-sensitive contractions with
 * the ASCII apostrophe only. A lone surrogate is "other" (neither letter, number nor space). The categories are the
 * JDK's ({@link Character#getType}: Unicode 16 in JDK 25); a {@code regex} module with a newer Unicode (17 in its
 * 2026 releases) also counts the code points that version made letters or digits (U+088F, Sidetic, CJK Extension J,
 * ...), so a piece with one of them may split otherwise there, as it does between {@code encoder.py} installs with
 * older and newer {@code regex} versions.
 *
 * <p>Each piece starts where the previous one ended and depends only on the text from its start (plus one character
 * of look-ahead after a whitespace run), so pieces can be found one at a time with {@link #pieceEnd}.
 */
final class PreTokenizer {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;
    /** Table marker: a high surrogate, whose class is that of the code point it starts (or OTHER when lone). */
    private static final byte HIGH_SURROGATE = 4;

    /** The class of every Latin-1 character. */
    private static final byte[] LATIN1 = block(0);
    /**
     * The class of every BMP character, by block of 256, each made on first use (65536 class look-ups would cost
     * tens of milliseconds at startup) and published with release/acquire so that every thread sees it whole.
     */
    private static final AtomicReferenceArray<byte[]> BLOCKS = new AtomicReferenceArray<>(256);

    private PreTokenizer() {
    }

    /** The class of a code point: LETTER, NUMBER, SPACE or OTHER. */
    static byte classOf(int codePoint) {
        if (isWhiteSpace(codePoint)) {
            return SPACE;
        }
        return switch (Character.getType(codePoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** The class of a BMP char, HIGH_SURROGATE for the first half of a pair. */
    private static byte bmpClass(char c) {
        if (c < 256) {
            return LATIN1[c];
        }
        byte[] block = BLOCKS.getAcquire(c >>> 8);
        if (block == null) {
            block = block(c >>> 8);
            BLOCKS.setRelease(c >>> 8, block);
        }
        return block[c & 0xFF];
    }

    private static byte[] block(int index) {
        byte[] block = new byte[256];
        for (int i = 0; i < 256; i++) {
            char c = (char) (index << 8 | i);
            block[i] = Character.isHighSurrogate(c) ? HIGH_SURROGATE : classOf(c);
        }
        return block;
    }

    /** Unicode's White_Space property (what {@code \s} means in the {@code regex} module). */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /**
     * The end of the piece that starts at {@code start}.
     *
     * @param s     the text
     * @param start where the piece starts; {@code start < end}
     * @param end   where the text (or the segment between special tokens) ends
     * @return the index after the piece's last char, in {@code (start, end]}
     */
    static int pieceEnd(String s, int start, int end) {
        char c = s.charAt(start);
        if (c == '\'' && start + 1 < end) {
            char c1 = s.charAt(start + 1);
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                return start + 2;
            }
            if (start + 2 < end) {
                char c2 = s.charAt(start + 2);
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                    return start + 3;
                }
            }
        }
        int i = start;
        if (c == ' ' && start + 1 < end) {
            i = start + 1;  // " ?" in front of a letter, number or other run
        }
        byte cls = classAt(s, i, end);
        if (cls == SPACE) {
            return whitespaceEnd(s, start, end);
        }
        return runEnd(s, i, end, cls);
    }

    /** {@code \s+(?!\S)|\s+} at {@code start}: the run, less its last char when a non-space follows the run. */
    private static int whitespaceEnd(String s, int start, int end) {
        int j = start + 1;
        while (j < end && bmpClass(s.charAt(j)) == SPACE) {
            j++;
        }
        return j < end && j - start >= 2 ? j - 1 : j;
    }

    /** The end of the run of class {@code cls} (LETTER, NUMBER or OTHER) that starts at {@code i}. */
    private static int runEnd(String s, int i, int end, byte cls) {
        while (i < end) {
            char ch = s.charAt(i);
            byte k = bmpClass(ch);
            if (k == cls) {
                i++;
            } else if (k == HIGH_SURROGATE) {
                if (i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
                    if (classOf(Character.toCodePoint(ch, s.charAt(i + 1))) != cls) {
                        return i;
                    }
                    i += 2;
                } else if (cls == OTHER) {
                    i++;
                } else {
                    return i;
                }
            } else {
                return i;
            }
        }
        return i;
    }

    /** The class of the code point at {@code i}. */
    private static byte classAt(String s, int i, int end) {
        char ch = s.charAt(i);
        byte k = bmpClass(ch);
        if (k != HIGH_SURROGATE) {
            return k;
        }
        return i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))
                ? classOf(Character.toCodePoint(ch, s.charAt(i + 1))) : OTHER;
    }

    /**
     * Whether the ordinary text may be cut at {@code i} without changing its pieces: between two code points of
     * different classes where the first is not whitespace, unless it is an apostrophe (which may start a contraction
     * with the letters after it). A letter, number or other run ends there whatever comes next (only whitespace runs
     * look ahead), so a piece ends at {@code i} in {@code s}; a piece depends only on the text from its start, so the
     * pieces of {@code s[..i)} and {@code s[i..)} are those of {@code s}. Never inside a surrogate pair.
     */
    static boolean isSafeCut(String s, int i) {
        if (i <= 0 || i >= s.length() || Character.isSurrogatePair(s.charAt(i - 1), s.charAt(i))) {
            return false;
        }
        byte before = classBefore(s, i);
        byte after = classAt(s, i, s.length());
        return before != SPACE && before != after && s.charAt(i - 1) != '\'';
    }

    /** The class of the code point that ends at {@code i} (a surrogate pair's as one). */
    private static byte classBefore(String s, int i) {
        char ch = s.charAt(i - 1);
        if (Character.isLowSurrogate(ch) && i >= 2 && Character.isHighSurrogate(s.charAt(i - 2))) {
            return classOf(Character.toCodePoint(s.charAt(i - 2), ch));
        }
        byte k = bmpClass(ch);
        return k == HIGH_SURROGATE ? OTHER : k;
    }
}
