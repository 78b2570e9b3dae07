package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.KvCache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Keys and values of one sequence, off-heap, laid out for the attention kernel's scans:
 * keys transposed as {@code [layer][head][d][position]} (a query scores a block of positions with one vector per d),
 * values as {@code [layer][head][position][d]} (a position adds its whole row).
 *
 * <p>A transposed key row holds {@link #keyStride} floats: the capacity rounded up to an odd number of 64-byte cache
 * lines, so that the headDim rows a query reads together fall in different cache sets (rows 4 KB apart would all
 * compete for the same few ways of L1).
 */
final class CpuCache implements KvCache {
    final int nLayer;
    final int nHead;
    final int headDim;
    final int capacity;
    final int keyStride;
    final MemorySegment keys;
    final MemorySegment values;
    private final Arena arena;
    private final Set<AutoCloseable> owner;

    /** @param owner the set of live allocations this cache leaves when closed */
    CpuCache(int nLayer, int nHead, int headDim, int capacity, Set<AutoCloseable> owner) {
        if (nLayer < 1 || nHead < 1 || headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("cache shape must be positive: " + nLayer + " layers, " + nHead
                    + " heads of " + headDim + ", " + capacity + " positions");
        }
        this.nLayer = nLayer;
        this.nHead = nHead;
        this.headDim = headDim;
        this.capacity = capacity;
        this.owner = owner;
        int lineFloats = 64 / Float.BYTES;
        this.keyStride = (((capacity + lineFloats - 1) / lineFloats) | 1) * lineFloats;
        long heads = (long) nLayer * nHead;
        this.arena = Arena.ofShared();
        this.keys = arena.allocate(Math.multiplyExact(heads * headDim, keyStride) * Float.BYTES, 64);
        this.values = arena.allocate(Math.multiplyExact(heads * headDim, capacity) * Float.BYTES, 64);
    }

    /** Where key component d of position p of (layer, head) is: {@code keyBase + d * keyStride + p}. */
    long keyBase(int layer, int head) {
        return ((long) layer * nHead + head) * headDim * keyStride;
    }

    /** Where value component d of position p of (layer, head) is: {@code valueBase + p * headDim + d}. */
    long valueBase(int layer, int head) {
        return ((long) layer * nHead + head) * capacity * headDim;
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
        return "CpuCache[" + nLayer + " layers, " + nHead + " x " + headDim + ", " + capacity + " positions]";
    }
}
