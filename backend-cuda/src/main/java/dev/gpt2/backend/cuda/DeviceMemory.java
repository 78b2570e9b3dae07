package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Every device allocation of one backend. Activations and KV caches go back to a pool of free blocks by exact size
 * when closed, so that the next generation gets the same addresses back: that keeps allocation off the hot path
 * and lets recorded CUDA graphs match again. Weights and temporary buffers are freed at once. Callers have the CUDA
 * context current.
 */
final class DeviceMemory {
    private final CudaDriver driver;
    private final Map<Long, Long> live = new HashMap<>();
    private final Map<Long, ArrayDeque<Long>> pooled = new HashMap<>();
    private long pooledBytes;

    DeviceMemory(CudaDriver driver) {
        this.driver = driver;
    }

    /**
     * A new block of {@code bytes}; on an out-of-memory error the pool is emptied and the allocation tried again.
     *
     * @param what what it is for, for the error message
     * @throws Gpt2Exception of kind {@code BACKEND_FAILURE} when the device has no room for it
     */
    synchronized long allocate(long bytes, String what) {
        int[] result = new int[1];
        long ptr = driver.memAlloc(bytes, result);
        if (result[0] == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY && pooledBytes > 0) {
            trim();
            ptr = driver.memAlloc(bytes, result);
        }
        if (result[0] == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY) {
            long[] info = driver.memoryInfo();
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_FAILURE, "out of GPU memory allocating " + mib(bytes)
                    + " for " + what + " (" + mib(info[0]) + " free of " + mib(info[1])
                    + "): use a smaller model or --dtype bf16, or free the GPU");
        }
        driver.check(result[0], "cuMemAlloc(" + bytes + " bytes for " + what + ")");
        live.put(ptr, bytes);
        return ptr;
    }

    /** A block of exactly {@code bytes} from the pool, or a new one. */
    synchronized long take(long bytes, String what) {
        ArrayDeque<Long> free = pooled.get(bytes);
        if (free != null && !free.isEmpty()) {
            pooledBytes -= bytes;
            long ptr = free.pop();
            live.put(ptr, bytes);
            return ptr;
        }
        return allocate(bytes, what);
    }

    /** Returns a block to the pool. */
    synchronized void give(long ptr) {
        Long bytes = live.remove(ptr);
        if (bytes != null) {
            pooled.computeIfAbsent(bytes, b -> new ArrayDeque<>()).push(ptr);
            pooledBytes += bytes;
        }
    }

    /** Frees a block. */
    synchronized void free(long ptr) {
        if (live.remove(ptr) != null) {
            driver.memFree(ptr);
        }
    }

    /** Bytes held: live blocks and the pool. */
    synchronized long bytesHeld() {
        long sum = pooledBytes;
        for (long b : live.values()) {
            sum += b;
        }
        return sum;
    }

    /** Frees every block, live or pooled. */
    synchronized void close() {
        trim();
        for (long ptr : live.keySet()) {
            driver.memFree(ptr);
        }
        live.clear();
    }

    private void trim() {
        for (ArrayDeque<Long> free : pooled.values()) {
            for (long ptr : free) {
                driver.memFree(ptr);
            }
        }
        pooled.clear();
        pooledBytes = 0;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
