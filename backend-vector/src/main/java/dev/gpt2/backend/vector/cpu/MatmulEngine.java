package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;

/**
 * The pluggable part of {@link CpuBackend}: the two big products, which dominate the run time and which a BLAS can
 * take over. {@link CpuBackend} checks shapes before it calls; an engine may assume them.
 *
 * <p>Every tensor is F32 (see {@link CpuTensor#data()}). Engines are called from several threads at once (on
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
}
