package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.KvCache;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One sequence's keys and values in device memory, F32: for each layer, keys {@code [nHead][capacity][headDim]} then
 * values of the same shape, so that one head's positions are contiguous for the attention kernels.
 */
final class CudaCache implements KvCache {
    final CudaBackend owner;
    final long ptr;
    final int nLayer;
    final int nHead;
    final int headDim;
    final int capacity;
    private final AtomicBoolean closed = new AtomicBoolean();

    CudaCache(CudaBackend owner, long ptr, int nLayer, int nHead, int headDim, int capacity) {
        this.owner = owner;
        this.ptr = ptr;
        this.nLayer = nLayer;
        this.nHead = nHead;
        this.headDim = headDim;
        this.capacity = capacity;
    }

    /** Device address of {@code layer}'s keys. */
    long keys(int layer) {
        return ptr + 4L * (2L * layer) * nHead * capacity * headDim;
    }

    /** Device address of {@code layer}'s values. */
    long values(int layer) {
        return keys(layer) + 4L * nHead * capacity * headDim;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.release(ptr, true);
        }
    }

    @Override
    public String toString() {
        return "KV cache of " + nLayer + " layers x " + nHead + " heads x " + headDim + ", capacity " + capacity;
    }
}
