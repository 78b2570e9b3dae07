package dev.gpt2.api;

import java.util.Objects;
import java.util.Optional;

/**
 * How to load a model. Immutable; start from {@link #defaults()} and change what you need:
 * {@code LoadOptions.defaults().withBackend("vector").withDType(DType.BF16)}.
 *
 * @param backend    the backend to compute with, by name ({@code vector}, {@code openblas}, {@code cuda}); empty
 *                   means the selection order of {@link dev.gpt2.api.spi.BackendRegistry}
 * @param dtype      how weights are held in memory; empty means as stored in the checkpoint when the backend holds
 *                   that type, else {@link DType#F32}
 * @param threads    compute threads for CPU backends; 0 means one per available processor; at most
 *                   {@value #MAX_THREADS_PER_PROCESSOR} per processor
 * @param randomSeed the seed of {@code random:SIZE} models (ignored for files)
 */
public record LoadOptions(Optional<String> backend, Optional<DType> dtype, int threads, long randomSeed) {
    /** The most compute threads per available processor: more only take turns (1000 on 2 cores: 8x slower). */
    public static final int MAX_THREADS_PER_PROCESSOR = 8;

    /** Checks the thread count and normalises the backend name (blank means automatic). */
    public LoadOptions {
        Objects.requireNonNull(dtype, "dtype (Optional.empty() for as stored)");
        backend = Objects.requireNonNull(backend, "backend (Optional.empty() for automatic)").map(String::trim)
                .filter(s -> !s.isEmpty());
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or positive, got " + threads);
        }
        int processors = Runtime.getRuntime().availableProcessors();
        if (threads > MAX_THREADS_PER_PROCESSOR * processors) {
            throw new IllegalArgumentException(threads + " threads is more than " + MAX_THREADS_PER_PROCESSOR
                    + " per processor (" + processors + " here): compute threads beyond one per core only take"
                    + " turns; use 0 for one per processor");
        }
    }

    /** Automatic backend, checkpoint dtype, one thread per processor, random seed 1234. */
    public static LoadOptions defaults() {
        return new LoadOptions(Optional.empty(), Optional.empty(), 0, 1234L);
    }

    /** The backend by name; null or blank for automatic selection. */
    public LoadOptions withBackend(String name) {
        return new LoadOptions(Optional.ofNullable(name), dtype, threads, randomSeed);
    }

    /** How to hold the weights; null for as stored (or F32 where the backend cannot hold that). */
    public LoadOptions withDType(DType type) {
        return new LoadOptions(backend, Optional.ofNullable(type), threads, randomSeed);
    }

    /** Compute threads of a CPU backend; 0 for one per available processor. */
    public LoadOptions withThreads(int count) {
        return new LoadOptions(backend, dtype, count, randomSeed);
    }

    /** The seed of a {@code random:SIZE} model's weights. */
    public LoadOptions withRandomSeed(long seed) {
        return new LoadOptions(backend, dtype, threads, seed);
    }
}
