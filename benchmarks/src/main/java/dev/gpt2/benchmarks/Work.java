package dev.gpt2.benchmarks;

/**
 * What one operation of a benchmark does, counted by {@link dev.gpt2.core.Workload}: the report divides it by the
 * measured time per operation to get rates, and sets the rate of the bound beside the machine's limit.
 *
 * @param flops  FLOPs per operation (2 per multiply-add)
 * @param bytes  bytes of weights and caches read per operation
 * @param tokens tokens per operation; 0 for a kernel
 * @param bound  the limit that bounds it
 */
public record Work(double flops, double bytes, double tokens, Bound bound) {

    /** The physical limit a benchmark runs against. */
    public enum Bound {
        /** Compute: FLOPs per second against the FP32 peak. */
        FP32_PEAK,
        /** Memory: bytes read per second against the read bandwidth. */
        READ_BANDWIDTH
    }

    /** The fraction of {@code limit} (FLOP/s or bytes/s, as {@link #bound()} says) reached at {@code secondsPerOp}. */
    public double fractionOf(double limit, double secondsPerOp) {
        double rate = (bound == Bound.FP32_PEAK ? flops : bytes) / secondsPerOp;
        return rate / limit;
    }
}
