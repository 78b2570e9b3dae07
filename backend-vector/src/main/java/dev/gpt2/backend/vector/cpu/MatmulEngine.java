package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Epilogue;

/**
 * The pluggable part of {@link CpuBackend}: the two big products, which dominate the run time and which a BLAS can
 * take over, and optionally attention. {@link CpuBackend} checks shapes before it calls; an engine may assume them.
 *
 * <p>Activations are F32; weights come in any dtype the backend holds (see {@link CpuTensor}). Engines are called from several threads at once (on
 * different output tensors) and must parallelise through the {@link ComputePool} they were made with, or hold it
 * with {@link ComputePool#exclusive} while native threads of their own compute.
 */
public interface MatmulEngine {

    /** Makes an engine for a backend's pool and kernels. */
    @FunctionalInterface
    interface Factory {
        MatmulEngine create(ComputePool pool, Simd simd);
    }

    /** A few words for {@code gpt2 info}: "Vector API GEMM, 4x48 register tiles". */
    String describe();

    /**
     * Whether each output row is bitwise independent of the other rows of a call and of the thread count (see
     * {@link dev.gpt2.api.spi.Capability#BATCH_INVARIANT}).
     */
    boolean batchInvariant();

    /**
     * {@code out[r] = epilogue(in[r] . weight + bias)} for r < rows.
     *
     * @param out    [rows.., N]; never {@code in}
     * @param in     [rows.., K]
     * @param weight [K, N]
     * @param bias   [1, N]
     */
    void matmul(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue);

    /**
     * {@code out[i] = hidden[rows[i]] . wte^T}.
     *
     * @param out    [rows.length.., V]
     * @param hidden [R, C]
     * @param wte    [V, C]
     */
    void logits(CpuTensor out, CpuTensor hidden, int[] rows, CpuTensor wte);

    /**
     * Attention of one sequence of a layer, called by {@link CpuBackend#attention} after it stored the slice's keys
     * and values in {@code cache}; returns false to leave the slice to the backend's own kernel (what this default
     * does). The slice's rows of {@code out} get each row's attention over cache positions up to its own, heads side
     * by side, as {@link dev.gpt2.api.spi.Backend#attention} defines.
     *
     * @param out [R, C]
     * @param qkv [R, 3C]
     */
    default boolean attention(CpuTensor out, CpuTensor qkv, int layer, AttentionBatch.Slice slice, CpuCache cache) {
        return false;
    }
}
