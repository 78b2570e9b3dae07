package dev.gpt2.tokenizer;

/**
 * The 64-bit key of a piece's bytes: the length in the top byte (255 for 255 and more) and, below it, the bytes
 * themselves when there are at most 7 (so equal keys mean equal pieces, no byte comparison needed), or else a 56-bit
 * hash of them (equal keys then need a comparison). Never 0, which marks an empty slot in the tables keyed by it.
 */
final class PieceKey {
    /** Pieces up to this many bytes have exact keys. */
    static final int EXACT = 7;

    private PieceKey() {
    }

    /** The key of {@code b[from, from + len)}; {@code len >= 1}. */
    static long of(byte[] b, int from, int len) {
        if (len <= EXACT) {
            long k = 0;
            for (int i = 0; i < len; i++) {
                k |= (b[from + i] & 0xFFL) << (i << 3);
            }
            return k | (long) len << 56;
        }
        long h = len;
        long word = 0;
        for (int i = 0; i < len; i++) {
            word |= (b[from + i] & 0xFFL) << ((i & 7) << 3);
            if ((i & 7) == 7) {
                h = (h ^ word) * 0x9E3779B97F4A7C15L;
                word = 0;
            }
        }
        h = (h ^ word) * 0x9E3779B97F4A7C15L;
        return (h ^ (h >>> 32)) >>> 8 | (long) Math.min(len, 255) << 56;
    }

    /** Whether {@code a[aFrom..)} and {@code b[bFrom..)} have the same {@code len} bytes (pieces are short). */
    static boolean equal(byte[] a, int aFrom, byte[] b, int bFrom, int len) {
        for (int i = 0; i < len; i++) {
            if (a[aFrom + i] != b[bFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /** The table slot of a key in a table of {@code 2^(64 - shift)} slots. */
    static int slot(long key, int shift) {
        return (int) ((key * 0xC2B2AE3D27D4EB4FL) >>> shift);
    }
}
