package dev.gpt2.tokenizer;

/** Working memory of one encode call (so that the tokenizer itself holds no mutable state). Not thread-safe. */
final class Scratch {
    private byte[] bytes = new byte[256];
    private int[] ids = new int[BytePairMerger.SHORT_PIECE];
    private int[] ranks = new int[BytePairMerger.SHORT_PIECE];
    private final IntList pieceIds = new IntList(16);

    /** A byte buffer of at least {@code n} bytes (its content is not kept when it grows). */
    byte[] bytes(int n) {
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        return bytes;
    }

    /** An empty list for the ids of one piece. */
    IntList pieceIds() {
        pieceIds.truncate(0);
        return pieceIds;
    }

    int[] ids(int n) {
        if (ids.length < n) {
            ids = new int[n];
        }
        return ids;
    }

    int[] ranks(int n) {
        if (ranks.length < n) {
            ranks = new int[n];
        }
        return ranks;
    }
}
