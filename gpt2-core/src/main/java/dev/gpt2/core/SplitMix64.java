package dev.gpt2.core;

/**
 * Steele, Lea and Flood's SplitMix64: a small, fast generator whose stream depends on the seed alone, so that a seed
 * means the same tokens on every run, JDK and platform. Not thread-safe; one per generation.
 */
final class SplitMix64 {
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1), with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** The output function: a bijective hash of 64 bits, also usable as a counter-based generator. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
