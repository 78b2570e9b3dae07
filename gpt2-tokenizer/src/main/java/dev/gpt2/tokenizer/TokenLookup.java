package dev.gpt2.tokenizer;

import java.util.BitSet;

/**
 * Finds the id of a token from its bytes: an open-addressing table of {@link PieceKey} keys and ids, side by side;
 * the bytes of a long token are compared with the vocabulary's flat byte array (no per-token objects). Immutable.
 */
final class TokenLookup {
    private final byte[] bytes;
    private final int[] offsets;
    /** {@code slots[2h]} = key (0 when empty), {@code slots[2h + 1]} = id. */
    private final long[] slots;
    private final int shift;
    private final int mask;

    /**
     * A table of the tokens in {@code ids}, whose bytes are {@code bytes[offsets[id], offsets[id + 1])}. When two
     * tokens have the same bytes, the lower id is found (it is inserted first, so it comes first on the probe path).
     */
    TokenLookup(byte[] bytes, int[] offsets, BitSet ids) {
        int bits = Math.max(3, 64 - Long.numberOfLeadingZeros(ids.cardinality() * 2L));
        this.bytes = bytes;
        this.offsets = offsets;
        this.slots = new long[2 << bits];
        this.shift = 64 - bits;
        this.mask = (1 << bits) - 1;
        for (int id = ids.nextSetBit(0); id >= 0; id = ids.nextSetBit(id + 1)) {
            put(id);
        }
    }

    /** One entry (a method of its own so that the JIT compiles it early: loading is startup-critical). */
    private void put(int id) {
        int from = offsets[id];
        int len = offsets[id + 1] - from;
        if (len == 0) {
            return;
        }
        long key = PieceKey.of(bytes, from, len);
        int h = PieceKey.slot(key, shift);
        while (slots[2 * h] != 0) {
            h = (h + 1) & mask;
        }
        slots[2 * h] = key;
        slots[2 * h + 1] = id;
    }

    /** The id of the token whose bytes are {@code piece[0, len)}, whose key is {@code key}, or -1. */
    int find(byte[] piece, int len, long key) {
        int h = PieceKey.slot(key, shift);
        while (true) {
            long k = slots[2 * h];
            if (k == key) {
                int id = (int) slots[2 * h + 1];
                if (len <= PieceKey.EXACT || equal(id, piece, len)) {
                    return id;
                }
            } else if (k == 0) {
                return -1;
            }
            h = (h + 1) & mask;
        }
    }

    private boolean equal(int id, byte[] piece, int len) {
        int start = offsets[id];
        return offsets[id + 1] - start == len && PieceKey.equal(bytes, start, piece, 0, len);
    }
}
