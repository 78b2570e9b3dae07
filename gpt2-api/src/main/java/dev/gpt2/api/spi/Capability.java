package dev.gpt2.api.spi;

/** What a backend can do beyond the kernels every backend has. Typed, so that no caller parses strings. */
public enum Capability {
    /** Weights, activations and KV caches live in device memory; only logits or chosen tokens come back. */
    DEVICE_RESIDENT,
    /** Uses the checkpoint's memory-mapped bytes in place when the dtype is unchanged (no copy of the weights). */
    ZERO_COPY_WEIGHTS,
    /** Computes on several CPU threads of its own; {@link BackendConfig#threads()} sets how many. */
    MULTI_THREADED,
    /** Chooses tokens (greedy and sampling) where the logits are, instead of copying them to the host. */
    DEVICE_SAMPLING,
    /** Runs attention as one fused kernel (no [T, T] score matrix in memory). */
    FUSED_ATTENTION,
    /**
     * A row's result is bitwise the same whatever other rows share the call and however many threads compute it, so
     * a batch gives exactly what each sequence gives alone, and decoding with the cache exactly what a full
     * recomputation gives. Without it (a tuned BLAS picks kernels by shape) the two agree within rounding.
     */
    BATCH_INVARIANT
}
