package dev.gpt2.api.spi;

/**
 * The physical limits of where a backend computes, measured on the spot, so that every speed figure can stand beside
 * its bound: decode at batch 1 is bound by reading the weights once per token, prefill by the FMA peak.
 *
 * <p>Bandwidth is measured in repeated passes; the best pass is the bound (as STREAM reports), the median pass what
 * the memory typically delivered meanwhile. On a machine shared with others the two part (by 1.5x and more on a
 * shared cloud VM), and a figure measured over many tokens meets the typical rate, not the best.
 *
 * @param readBytesPerSecond        read bandwidth of the memory that holds the weights, all compute threads: the best
 *                                  pass
 * @param typicalReadBytesPerSecond the same, the median pass (equal to the best where only one pass is made)
 * @param fp32FlopsPerSecond        sustained FP32 multiply-add throughput, all compute threads (2 flops per FMA)
 * @param method                    how it was measured, in a few words, for the report
 */
public record DeviceLimits(double readBytesPerSecond, double typicalReadBytesPerSecond, double fp32FlopsPerSecond,
                           String method) {

    /** Limits from a single bandwidth measurement: its figure is both the best and the typical rate. */
    public DeviceLimits(double readBytesPerSecond, double fp32FlopsPerSecond, String method) {
        this(readBytesPerSecond, readBytesPerSecond, fp32FlopsPerSecond, method);
    }
}
