package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.KvCache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Keys and values of one sequence, off-heap, laid out for the attention kernel's scans:
 * keys transposed as {@code [layer][head][d][position]} (a query scores a block of positions with one vector per d),
 * values as {@code [layer][head][position][d]} (a position adds its whole row). The accessors give an engine's own
 * attention ({@link MatmulEngine#attention}) the same view: a head's keys are a row-major [headDim, capacity] matrix
 * with rows {@link #keyStride()} floats apart, its values a row-major [capacity, headDim] matrix.
 *
 * <p>A transposed key row holds {@link #keyStride} floats: the capacity rounded up to an odd number of 64-byte cache
 * lines, so that the headDim rows a query reads together fall in different cache sets (rows 4 KB apart would all
 * compete for the same few ways of L1).
 */
public final class CpuCache implements KvCache {
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
        this.keys = HugePages.allocate(arena, Math.multiplyExact(heads * headDim, keyStride) * Float.BYTES);
        this.values = HugePages.allocate(arena, Math.multiplyExact(heads * headDim, capacity) * Float.BYTES);
    }

    /** Where key component d of position p of (layer, head) is, in floats: {@code keyBase + d * keyStride + p}. */
    public long keyBase(int layer, int head) {
        return ((long) layer * nHead + head) * headDim * keyStride;
    }

    /** Where value component d of position p of (layer, head) is, in floats: {@code valueBase + p * headDim + d}. */
    public long valueBase(int layer, int head) {
        return ((long) layer * nHead + head) * capacity * headDim;
    }

    /** The keys of every layer and head, F32 (see {@link #keyBase}). */
    public MemorySegment keys() {
        return keys;
    }

    /** The values of every layer and head, F32 (see {@link #valueBase}). */
    public MemorySegment values() {
        return values;
    }

    /** Floats between the rows of a head's transposed keys (one row per component d): capacity or a little more. */
    public int keyStride() {
        return keyStride;
    }

    /** Values per head and position. */
    public int headDim() {
        return headDim;
    }

    /** Heads per layer. */
    public int heads() {
        return nHead;
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
