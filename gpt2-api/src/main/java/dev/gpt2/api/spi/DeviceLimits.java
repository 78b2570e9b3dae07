package dev.gpt2.api.spi;

/**
 * The physical limits of where a backend computes, measured on the spot, so that every speed figure can stand beside
 * its bound: decode at batch 1 is bound by reading the weights once per token, prefill by the FMA peak.
 *
 * @param readBytesPerSecond  sustained read bandwidth of the memory that holds the weights, all compute threads
 * @param fp32FlopsPerSecond  sustained FP32 multiply-add throughput, all compute threads (2 flops per FMA)
 * @param method              how it was measured, in a few words, for the report
 */
public record DeviceLimits(double readBytesPerSecond, double fp32FlopsPerSecond, String method) {
}
