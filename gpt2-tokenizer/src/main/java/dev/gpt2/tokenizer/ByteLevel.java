package dev.gpt2.tokenizer;

/**
 * GPT-2's byte-to-unicode alphabet ({@code bytes_to_unicode} in OpenAI's {@code encoder.py}): every byte is shown as
 * a printable character so that vocabulary files can be text. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬},
 * {@code ®..ÿ}) stand for themselves; the other 68 bytes, in increasing order, become U+0100, U+0101, ... (the space
 * 0x20 is {@code Ġ}, U+0120).
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final short[] CHAR_TO_BYTE = new short[256 + 68];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {
    }

    /** The character that stands for byte {@code b} (0..255) in vocabulary files. */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The byte that character {@code c} stands for, or -1 when {@code c} is outside the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The bytes a vocabulary-file token stands for. A token with a character outside the alphabet (an added token such
     * as {@code <|endoftext|>} written with a space) is taken as its own UTF-8 text.
     */
    static byte[] bytesOf(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** The vocabulary-file spelling of a token's bytes (inverse of {@link #bytesOf} for tokens inside the alphabet). */
    static String textOf(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }
}
