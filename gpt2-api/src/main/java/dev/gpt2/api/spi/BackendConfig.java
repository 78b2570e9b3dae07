package dev.gpt2.api.spi;

/**
 * Settings a backend is opened with.
 *
 * @param threads compute threads for CPU backends; 0 means one per available processor
 */
public record BackendConfig(int threads) {
    /** Checks the thread count. */
    public BackendConfig {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or positive, got " + threads);
        }
    }

    /** The thread count to use: {@link #threads()}, or the number of available processors when it is 0. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
