package dev.gpt2.eval;

/**
 * How to run an evaluation. Start from {@link #defaults()}.
 *
 * @param limit     evaluate at most this many items (windows, passages, questions...); 0 for all
 * @param batchSize items computed together in one {@code scoreBatch} / {@code generateBatch} call, at least 1
 * @param stride    for the language-modelling tasks: how far each window of the sliding window advances, between 1
 *                  and {@code n_positions - 1}; 0 means {@code n_positions / 2}
 * @param seed      the seed of sampled generations (CNN/Daily Mail); item i uses {@code seed + i}
 * @param shots     example pairs put in the context of WMT-14 and Natural Questions; 0 means the task's default
 */
public record EvalOptions(long limit, int batchSize, int stride, long seed, int shots) {

    public EvalOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be 0 (everything) or positive, got " + limit);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        if (stride < 0) {
            throw new IllegalArgumentException("--stride must be 0 (half the context) or positive, got " + stride);
        }
        if (shots < 0) {
            throw new IllegalArgumentException("--shots must be 0 (the task's default) or positive, got " + shots);
        }
    }

    /** Everything, batches of 8, half-context stride, seed 1234, each task's default number of examples. */
    public static EvalOptions defaults() {
        return new EvalOptions(0, 8, 0, 1234L, 0);
    }

    public EvalOptions withLimit(long n) {
        return new EvalOptions(n, batchSize, stride, seed, shots);
    }

    public EvalOptions withBatchSize(int n) {
        return new EvalOptions(limit, n, stride, seed, shots);
    }

    public EvalOptions withStride(int s) {
        return new EvalOptions(limit, batchSize, s, seed, shots);
    }

    public EvalOptions withSeed(long s) {
        return new EvalOptions(limit, batchSize, stride, s, shots);
    }

    public EvalOptions withShots(int n) {
        return new EvalOptions(limit, batchSize, stride, seed, n);
    }
}
