package dev.gpt2.api.spi;

/**
 * The keys and values of one sequence, for every layer, up to {@link #capacity()} positions. Opaque: it lives where
 * the backend computes. One sequence at a time uses a cache; a cache is not thread-safe.
 */
public interface KvCache extends AutoCloseable {

    /** How many positions it holds. */
    int capacity();

    /** Frees its memory. Idempotent. */
    @Override
    void close();
}
