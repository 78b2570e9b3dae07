package dev.gpt2.backend.openblas;

import dev.gpt2.api.spi.KvCache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Keys and values of one sequence, off-heap, each as {@code [layer][head][position][d]}: a head's keys and values are
 * row-major matrices of {@code capacity x headDim}, the operands of {@link BlasAttention} as they lie.
 */
final class BlasCache implements KvCache {
    final int nLayer;
    final int nHead;
    final int headDim;
    final int capacity;
    final MemorySegment keys;
    final MemorySegment values;
    private final Arena arena;
    private final Set<BlasCache> owner;

    BlasCache(int nLayer, int nHead, int headDim, int capacity, Set<BlasCache> owner) {
        if (nLayer < 1 || nHead < 1 || headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("cache shape must be positive: " + nLayer + " layers, " + nHead
                    + " heads of " + headDim + ", " + capacity + " positions");
        }
        this.nLayer = nLayer;
        this.nHead = nHead;
        this.headDim = headDim;
        this.capacity = capacity;
        long floats = Math.multiplyExact(Math.multiplyExact((long) nLayer * nHead, headDim), capacity);
        this.arena = Arena.ofShared();
        this.keys = arena.allocate(floats * Float.BYTES, 64);
        this.values = arena.allocate(floats * Float.BYTES, 64);
        this.owner = owner;
    }

    /** Where position 0 of (layer, head) starts, in floats, in {@link #keys} and in {@link #values}. */
    long base(int layer, int head) {
        return ((long) layer * nHead + head) * capacity * headDim;
    }

    /** The keys of (layer, head): [capacity, headDim]. */
    Mat keys(int layer, int head) {
        return new Mat(keys, base(layer, head), headDim);
    }

    /** The values of (layer, head): [capacity, headDim]. */
    Mat values(int layer, int head) {
        return new Mat(values, base(layer, head), headDim);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        owner.remove(this);
        if (arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosed) {
                // another thread closed it first: closing is idempotent
            }
        }
    }

    @Override
    public String toString() {
        return "BlasCache[" + nLayer + " layers, " + nHead + " x " + headDim + ", " + capacity + " positions]";
    }
}
