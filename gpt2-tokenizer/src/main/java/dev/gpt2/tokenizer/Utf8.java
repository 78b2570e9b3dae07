package dev.gpt2.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 as the tokenizer needs it. A lone surrogate in a Java string (which has no UTF-8 form) is encoded as U+FFFD
 * (EF BF BD), the Unicode replacement character, the same as decoding turns invalid UTF-8 into U+FFFD.
 */
final class Utf8 {
    /** The most UTF-8 bytes one UTF-16 char can need (a supplementary code point is 4 bytes for 2 chars). */
    static final int MAX_BYTES_PER_CHAR = 3;

    private Utf8() {
    }

    /**
     * Writes the UTF-8 bytes of {@code s[from, to)} to {@code out[0..)}, lone surrogates as U+FFFD.
     *
     * @param out holds at least {@code MAX_BYTES_PER_CHAR * (to - from)} bytes
     * @return the number of bytes written
     */
    static int encode(String s, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    out[n++] = (byte) (0xF0 | (cp >> 18));
                    out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    out[n++] = (byte) 0xEF;
                    out[n++] = (byte) 0xBF;
                    out[n++] = (byte) 0xBD;
                }
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    /** The number of UTF-8 bytes {@link #encode} writes for the char {@code s[i]} (0 for the low half of a pair). */
    static int length(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return 4;
        }
        if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
            return 0;
        }
        return 3;
    }

    /** The number of UTF-8 bytes of {@code s[from, to)} as {@link #encode} writes them; {@code from} starts a char. */
    static long length(String s, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n += length(s, i);
        }
        return n;
    }

    /**
     * The length of the unfinished UTF-8 sequence at the end of {@code b[0, len)}: a lead byte and fewer continuation
     * bytes than it announces, each valid so far; 0 when the bytes end complete (or with bytes that are invalid
     * whatever follows, which decoding replaces with U+FFFD at once).
     */
    static int incompleteTail(byte[] b, int len) {
        for (int k = 1; k <= 3 && k <= len; k++) {
            int x = b[len - k] & 0xFF;
            if (x >= 0x80 && x <= 0xBF) {
                continue;  // a continuation byte: look further back for its lead
            }
            if (x < 0xC2 || x > 0xF4) {
                return 0;  // ASCII, or a byte that never starts a sequence
            }
            int need = x < 0xE0 ? 2 : x < 0xF0 ? 3 : 4;
            if (k >= need) {
                return 0;
            }
            if (k >= 2) {
                int second = b[len - k + 1] & 0xFF;
                boolean ok = switch (x) {
                    case 0xE0 -> second >= 0xA0;
                    case 0xED -> second <= 0x9F;
                    case 0xF0 -> second >= 0x90;
                    case 0xF4 -> second <= 0x8F;
                    default -> true;
                };
                if (!ok) {
                    return 0;
                }
            }
            return k;
        }
        return 0;
    }

    /**
     * The text of the UTF-8 bytes {@code b[from, to)}, each maximal invalid subsequence as one U+FFFD, as the Unicode
     * standard recommends and Python's {@code bytes.decode(errors="replace")} does. The JDK's decoder does so too, but
     * for the encoded surrogates {@code ED A0..BF ..}, which it replaces with one U+FFFD in all: there {@code ED} is a
     * subsequence of its own (A0..BF cannot follow it) and each byte after it another.
     */
    static String decode(byte[] b, int from, int to) {
        String jdk = new String(b, from, to - from, StandardCharsets.UTF_8);
        // valid UTF-8 (no U+FFFD made, the common case) needs no scan for encoded surrogates
        int lead = jdk.indexOf('\uFFFD') < 0 ? -1 : encodedSurrogate(b, from, to);
        if (lead < 0) {
            return jdk;
        }
        StringBuilder text = new StringBuilder(to - from);
        int start = from;
        while (lead >= 0) {
            // the JDK decodes what precedes the ED as it should (ED never continues a sequence), and the stray
            // continuation bytes after it each as one U+FFFD
            text.append(new String(b, start, lead - start, StandardCharsets.UTF_8)).append('\uFFFD');
            start = lead + 1;
            lead = encodedSurrogate(b, start, to);
        }
        return text.append(new String(b, start, to - start, StandardCharsets.UTF_8)).toString();
    }

    /** The index of the first {@code ED} followed by {@code A0..BF} in {@code b[from, to)}, or -1. */
    private static int encodedSurrogate(byte[] b, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            if (b[i] == (byte) 0xED && (b[i + 1] & 0xE0) == 0xA0) {
                return i;
            }
        }
        return -1;
    }
}
