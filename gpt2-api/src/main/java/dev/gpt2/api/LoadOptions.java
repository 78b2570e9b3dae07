package dev.gpt2.api;

import java.util.Optional;

/**
 * How to load a model. Immutable; start from {@link #defaults()} and change what you need:
 * {@code LoadOptions.defaults().withBackend("vector").withDType(DType.BF16)}.
 *
 * @param backend    the backend to compute with, by name ({@code vector}, {@code openblas}, {@code cuda}); empty
 *                   means the selection order of {@link dev.gpt2.api.spi.BackendRegistry}
 * @param dtype      how weights are held in memory; empty means as stored in the checkpoint when the backend holds
 *                   that type, else {@link DType#F32}
 * @param threads    compute threads for CPU backends; 0 means one per available processor
 * @param randomSeed the seed of {@code random:SIZE} models (ignored for files)
 */
public record LoadOptions(Optional<String> backend, Optional<DType> dtype, int threads, long randomSeed) {

    public LoadOptions {
        backend = backend.map(String::trim).filter(s -> !s.isEmpty());
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or positive, got " + threads);
        }
    }

    /** Automatic backend, checkpoint dtype, one thread per processor, random seed 1234. */
    public static LoadOptions defaults() {
        return new LoadOptions(Optional.empty(), Optional.empty(), 0, 1234L);
    }

    public LoadOptions withBackend(String name) {
        return new LoadOptions(Optional.ofNullable(name), dtype, threads, randomSeed);
    }

    public LoadOptions withDType(DType type) {
        return new LoadOptions(backend, Optional.ofNullable(type), threads, randomSeed);
    }

    public LoadOptions withThreads(int count) {
        return new LoadOptions(backend, dtype, count, randomSeed);
    }

    public LoadOptions withRandomSeed(long seed) {
        return new LoadOptions(backend, dtype, threads, seed);
    }
}
