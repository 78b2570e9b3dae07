package dev.gpt2.tokenizer;

/**
 * Applies the ranked merges to the bytes of one piece: repeatedly merges the adjacent pair of lowest rank, the
 * leftmost first, until no adjacent pair is a merge (what tiktoken and Hugging Face's tokenizers do). That equals
 * {@code encoder.py}'s loop, which merges every occurrence of the lowest-ranked pair at once, whenever each merge's
 * parts were made by earlier merges, as in GPT-2's {@code vocab.bpe} (checked by the tests).
 *
 * <p>Short pieces (nearly all) use a small array and a linear scan for the minimum; long ones (a long word, a run of
 * digits or symbols, a text without spaces) use an indexed heap so that the time is O(n log n) and the memory 16 bytes
 * per byte of the piece. Immutable and thread-safe; the working memory comes from a {@link Scratch}.
 */
final class BytePairMerger {
    /** Pieces up to this many bytes use the quadratic array scan, longer ones the heap. */
    static final int SHORT_PIECE = 64;

    private final int[] byteIds;
    private final PairRanks ranks;
    private final int[] mergedIds;
    private final int[] offsets;

    /**
     * @param byteIds   the id of the token of each single byte (256 ids)
     * @param ranks     the rank of each merge pair
     * @param mergedIds the id that the merge of each rank makes
     * @param offsets   token {@code id} is {@code offsets[id + 1] - offsets[id]} bytes long
     */
    BytePairMerger(int[] byteIds, PairRanks ranks, int[] mergedIds, int[] offsets) {
        this.byteIds = byteIds;
        this.ranks = ranks;
        this.mergedIds = mergedIds;
        this.offsets = offsets;
    }

    /** The id of the single-byte token of {@code b}. */
    int byteId(byte b) {
        return byteIds[b & 0xFF];
    }

    /** Merges the bytes {@code piece[0, len)} and appends the resulting ids to {@code out}. */
    void merge(byte[] piece, int len, IntList out, Scratch scratch) {
        if (len <= SHORT_PIECE) {
            mergeShort(piece, len, out, scratch);
        } else {
            mergeLong(piece, len, out);
        }
    }

    /** The array scan: O(n^2) but with tiny constants for the short pieces of ordinary text. */
    void mergeShort(byte[] piece, int len, IntList out, Scratch scratch) {
        int[] ids = scratch.ids(len);
        int[] pairRanks = scratch.ranks(len);
        for (int i = 0; i < len; i++) {
            ids[i] = byteIds[piece[i] & 0xFF];
        }
        for (int i = 0; i + 1 < len; i++) {
            pairRanks[i] = ranks.rank(ids[i], ids[i + 1]);
        }
        int count = len;
        while (count > 1) {
            int best = PairRanks.NONE;
            int at = -1;
            for (int i = 0; i + 1 < count; i++) {
                if (pairRanks[i] < best) {
                    best = pairRanks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            ids[at] = mergedIds[best];
            System.arraycopy(ids, at + 2, ids, at + 1, count - at - 2);
            System.arraycopy(pairRanks, at + 2, pairRanks, at + 1, Math.max(0, count - at - 3));
            count--;
            if (at > 0) {
                pairRanks[at - 1] = ranks.rank(ids[at - 1], ids[at]);
            }
            if (at + 1 < count) {
                pairRanks[at] = ranks.rank(ids[at], ids[at + 1]);
            }
        }
        out.addAll(ids, 0, count);
    }

    /**
     * The heap: O(n log n) for pieces of any length. Tokens are kept at their first byte ("heads"): {@code ids[p]} is
     * the token starting at byte p, or -1 inside a token; the next head is {@code p + length(ids[p])} and the
     * previous one is found by stepping back over at most one token. The heap holds the heads that start a mergeable
     * pair, ordered by (rank, position).
     */
    void mergeLong(byte[] piece, int len, IntList out) {
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) {
            ids[i] = byteIds[piece[i] & 0xFF];
        }
        PairHeap heap = new PairHeap(len);
        for (int i = 0; i + 1 < len; i++) {
            heap.set(i, ranks.rank(ids[i], ids[i + 1]));
        }
        heap.heapify();
        while (!heap.isEmpty()) {
            int p = heap.min();
            int q = p + length(ids[p]);
            ids[p] = mergedIds[heap.rank(p)];
            ids[q] = -1;
            heap.remove(q);
            int next = p + length(ids[p]);
            heap.update(p, next < len ? ranks.rank(ids[p], ids[next]) : PairRanks.NONE);
            if (p > 0) {
                int prev = p - 1;
                while (ids[prev] < 0) {
                    prev--;
                }
                heap.update(prev, ranks.rank(ids[prev], ids[p]));
            }
        }
        for (int p = 0; p < len; p += length(ids[p])) {
            out.add(ids[p]);
        }
    }

    private int length(int id) {
        return offsets[id + 1] - offsets[id];
    }

    /**
     * An indexed 4-ary min-heap of positions keyed by (rank, position), the key stored in the heap itself
     * ({@code rank << 32 | position}, so comparisons read no other array), with the heap index of every position so
     * that a position's rank can change or the position can leave in O(log n).
     */
    private static final class PairHeap {
        private final long[] heap;
        private final int[] where;
        private int size;

        PairHeap(int n) {
            heap = new long[n];
            where = new int[n];
            java.util.Arrays.fill(where, -1);
        }

        /** Before {@link #heapify}: gives position p its rank. */
        void set(int p, int r) {
            if (r != PairRanks.NONE) {
                where[p] = size;
                heap[size++] = (long) r << 32 | p;
            }
        }

        void heapify() {
            for (int i = (size - 2) / 4; i >= 0; i--) {
                down(i, heap[i]);
            }
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The position of the lowest (rank, position). */
        int min() {
            return (int) heap[0];
        }

        /** The rank of position p, which is in the heap. */
        int rank(int p) {
            return (int) (heap[where[p]] >>> 32);
        }

        /** Gives position p a new rank; {@link PairRanks#NONE} takes it out of the heap. */
        void update(int p, int r) {
            if (r == PairRanks.NONE) {
                remove(p);
                return;
            }
            long key = (long) r << 32 | p;
            int i = where[p];
            if (i < 0) {
                up(size++, key);
            } else if (key < heap[i]) {
                up(i, key);
            } else {
                down(i, key);
            }
        }

        void remove(int p) {
            int i = where[p];
            if (i < 0) {
                return;
            }
            where[p] = -1;
            long last = heap[--size];
            if (i < size) {
                if (last < heap[i]) {
                    up(i, last);
                } else {
                    down(i, last);
                }
            }
        }

        /** Puts {@code key} at index i or above it. */
        private void up(int i, long key) {
            while (i > 0) {
                int parent = (i - 1) >>> 2;
                if (heap[parent] <= key) {
                    break;
                }
                place(i, heap[parent]);
                i = parent;
            }
            place(i, key);
        }

        /** Puts {@code key} at index i or below it. */
        private void down(int i, long key) {
            while (true) {
                int first = 4 * i + 1;
                if (first >= size) {
                    break;
                }
                int child = first;
                long least = heap[first];
                int end = Math.min(first + 4, size);
                for (int c = first + 1; c < end; c++) {
                    if (heap[c] < least) {
                        least = heap[c];
                        child = c;
                    }
                }
                if (key <= least) {
                    break;
                }
                place(i, least);
                i = child;
            }
            place(i, key);
        }

        private void place(int i, long key) {
            heap[i] = key;
            where[(int) key] = i;
        }
    }
}
