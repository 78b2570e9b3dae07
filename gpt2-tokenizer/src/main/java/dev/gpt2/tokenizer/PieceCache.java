package dev.gpt2.tokenizer;

import java.util.Arrays;

/**
 * A bounded cache of the ids of recently merged pieces (words of several tokens recur: identifiers, inflections), so
 * that a repeated piece skips the merge loop. Direct-mapped: each piece has one slot, a new piece takes it over.
 *
 * <p>Thread-safe without locks: an entry is immutable (final fields), so a thread reading a slot while another
 * replaces it sees null, the old entry or the new one, each whole (JLS 17.5), and the key tells whether it is the piece
 * asked for. A miss only costs the merge; results never depend on what is cached.
 */
final class PieceCache {
    /** Longer pieces are not cached. */
    static final int MAX_PIECE = 48;
    private static final int BITS = 16;

    private final Entry[] slots = new Entry[1 << BITS];

    /** A cached piece: its key, its bytes when the key is not exact, and its ids. */
    private static final class Entry {
        final long key;
        final byte[] piece;
        final int[] ids;

        Entry(long key, byte[] piece, int[] ids) {
            this.key = key;
            this.piece = piece;
            this.ids = ids;
        }
    }

    /** The ids of the piece {@code piece[0, len)} with key {@code key}, or null when not cached. */
    int[] get(byte[] piece, int len, long key) {
        Entry e = slots[PieceKey.slot(key, 64 - BITS)];
        if (e == null || e.key != key) {
            return null;
        }
        if (len > PieceKey.EXACT && (e.piece.length != len || !PieceKey.equal(e.piece, 0, piece, 0, len))) {
            return null;
        }
        return e.ids;
    }

    /** Caches the ids of the piece {@code piece[0, len)} with key {@code key}; {@code len <= MAX_PIECE}. */
    void put(byte[] piece, int len, long key, int[] ids) {
        byte[] copy = len > PieceKey.EXACT ? Arrays.copyOf(piece, len) : null;
        slots[PieceKey.slot(key, 64 - BITS)] = new Entry(key, copy, ids);
    }
}
