package dev.gpt2.tokenizer;

import java.util.Arrays;

/**
 * The merge rank of each pair of token ids: an open-addressing hash table of primitive longs (no boxing), each slot
 * holding the pair and its rank in one word ({@code left << 44 | right << 24 | rank}), so a probe reads one long.
 * Ids must be below 2^20 - 1 (all ones marks an empty slot) and ranks below 2^24. Immutable once built.
 */
final class PairRanks {
    /** The rank of a pair that is not a merge. */
    static final int NONE = Integer.MAX_VALUE;
    /** Ids are stored in 20 bits, all ones excluded: the number of ids supported. */
    static final int MAX_IDS = (1 << 20) - 1;
    /** Ranks are stored in 24 bits. */
    static final int MAX_MERGES = 1 << 24;
    private static final long EMPTY = -1L;

    private final long[] slots;
    private final int shift;
    private final int mask;

    /**
     * A table of the merges {@code (left[r], right[r])} with rank r; a repeated pair keeps its last rank, and a rank
     * with a negative id has no pair (as {@link #pairs} gives a repeated pair's earlier rank).
     *
     * @throws IllegalArgumentException more than 2^24 merges, or an id of {@link #MAX_IDS} or more
     */
    PairRanks(int[] left, int[] right) {
        if (left.length > MAX_MERGES) {
            throw new IllegalArgumentException(left.length + " merges: at most " + MAX_MERGES + " are supported");
        }
        int bits = Math.max(4, 64 - Long.numberOfLeadingZeros(left.length * 2L));
        slots = new long[1 << bits];
        shift = 64 - bits;
        mask = slots.length - 1;
        Arrays.fill(slots, EMPTY);
        for (int r = 0; r < left.length; r++) {
            if (left[r] < 0 || right[r] < 0) {
                continue;
            }
            if (left[r] >= MAX_IDS || right[r] >= MAX_IDS) {
                throw new IllegalArgumentException("merge " + r + " names the id " + Math.max(left[r], right[r])
                        + ": ids up to " + (MAX_IDS - 1) + " are supported");
            }
            put(pair(left[r], right[r]), r);
        }
    }

    /**
     * The pairs of the merges: {@code [left ids, right ids]} by rank, for {@code merges} ranks (a rank whose pair
     * repeats later has -1 and -1).
     */
    int[][] pairs(int merges) {
        int[][] pairs = new int[2][merges];
        Arrays.fill(pairs[0], -1);
        Arrays.fill(pairs[1], -1);
        for (long s : slots) {
            if (s != EMPTY) {
                int rank = (int) (s & (MAX_MERGES - 1));
                pairs[0][rank] = (int) (s >>> 44);
                pairs[1][rank] = (int) (s >>> 24) & ((1 << 20) - 1);
            }
        }
        return pairs;
    }

    /** One entry (a method of its own so that the JIT compiles it early: loading is startup-critical). */
    private void put(long pair, int rank) {
        int h = slot(pair);
        while (slots[h] != EMPTY && (slots[h] >>> 24) != pair) {
            h = (h + 1) & mask;
        }
        slots[h] = pair << 24 | rank;
    }

    /** The rank of merging {@code left} then {@code right}, or {@link #NONE}. */
    int rank(int left, int right) {
        long pair = pair(left, right);
        int h = slot(pair);
        while (true) {
            long s = slots[h];
            if ((s >>> 24) == pair) {
                return (int) (s & (MAX_MERGES - 1));
            }
            if (s == EMPTY) {
                return NONE;
            }
            h = (h + 1) & mask;
        }
    }

    private static long pair(int left, int right) {
        return (long) left << 20 | right;
    }

    private int slot(long pair) {
        return (int) ((pair * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
