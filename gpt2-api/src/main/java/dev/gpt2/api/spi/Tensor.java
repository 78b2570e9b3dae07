package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

/**
 * An opaque handle to a backend's memory: host memory for CPU backends, device memory for GPU backends. Model code
 * never sees the numbers; only the backend that made a tensor may use it.
 *
 * <p>Every tensor is a row-major matrix of {@link #rows()} by {@link #cols()} (a vector is one row). Weights keep the
 * checkpoint's orientation: a matmul weight is [in, out].
 */
public interface Tensor extends AutoCloseable {

    /** How the values are held: F32 for activations, the weight's dtype for weights. */
    DType dtype();

    /** The first dimension: rows of activations, or the input dimension of a matmul weight. */
    int rows();

    /** The second dimension, whose values are consecutive in memory. */
    int cols();

    /** Frees the memory the backend allocated for it (weights mapped from a file stay mapped). Idempotent. */
    @Override
    void close();
}
