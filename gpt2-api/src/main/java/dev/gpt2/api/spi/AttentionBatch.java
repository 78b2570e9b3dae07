package dev.gpt2.api.spi;

import java.util.List;
import java.util.Objects;

/**
 * The sequences of one forward pass, laid out as consecutive row ranges of the activations ("ragged" batching:
 * sequences of different lengths, no padding). Attention never mixes rows of different sequences, so each sequence
 * gets exactly what it gets alone.
 *
 * @param slices the sequences, in row order
 */
public record AttentionBatch(List<Slice> slices) {

    /** Checks that the slices cover the rows from 0 in order, without gaps. */
    public AttentionBatch {
        slices = List.copyOf(slices);
        int next = 0;
        for (Slice s : slices) {
            if (s.firstRow() != next) {
                throw new IllegalArgumentException("slices must cover rows 0.. in order; expected first row " + next
                        + ", got " + s.firstRow());
            }
            next += s.rows();
        }
    }

    /** One sequence alone. */
    public static AttentionBatch single(KvCache cache, int rows, int pastLength) {
        return new AttentionBatch(List.of(new Slice(cache, 0, rows, pastLength)));
    }

    /** Total rows over every slice. */
    public int rows() {
        return slices.isEmpty() ? 0 : slices.getLast().firstRow() + slices.getLast().rows();
    }

    /**
     * One sequence's rows.
     *
     * @param cache      its keys and values; positions {@code [0, pastLength)} are already there
     * @param firstRow   its first row in the activations
     * @param rows       how many new positions it has in this pass (at least 1)
     * @param pastLength how many positions the cache already holds; the new rows are positions
     *                   {@code pastLength .. pastLength + rows - 1}
     */
    public record Slice(KvCache cache, int firstRow, int rows, int pastLength) {
        /** Checks the rows against each other and against the cache's capacity. */
        public Slice {
            Objects.requireNonNull(cache, "cache");
            if (firstRow < 0 || rows < 1 || pastLength < 0 || pastLength + rows > cache.capacity()) {
                throw new IllegalArgumentException("bad slice: first row " + firstRow + ", rows " + rows + ", past "
                        + pastLength + ", cache capacity " + cache.capacity());
            }
        }
    }
}
