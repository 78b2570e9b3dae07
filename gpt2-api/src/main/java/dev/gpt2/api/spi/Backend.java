package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A compute backend: owns memory (weights, activations, KV caches) and runs GPT-2's kernels on it. Created by
 * {@link BackendProvider#open}; close it to free everything it allocated.
 *
 * <p>Legend for shapes: R = rows in this pass (the new positions of every sequence, laid out one after another),
 * C = n_embd, V = vocabulary size, K / N = a matmul's in / out width. Every activation is F32. Methods take their
 * outputs first, as in llm.c.
 *
 * <p><b>Threads.</b> Every method may be called from several threads at once, as long as the calls write different
 * tensors and caches: one loaded model serves concurrent generations.
 *
 * <p><b>Ordering.</b> Kernels may run asynchronously (a GPU queues them); the methods that return host values
 * ({@link #read}, {@link #chooseTokens}, {@link #tokenLogProbs}) return once everything queued before them on the
 * calling thread is done.
 *
 * <p><b>Errors.</b> Shapes that do not fit are programming errors ({@link IllegalArgumentException}); a failure of the
 * device or of native code is a {@link dev.gpt2.api.Gpt2Exception} of kind {@code BACKEND_FAILURE}.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name. */
    String name();

    /** What it found when it opened: device, threads, library versions; for diagnostics ({@code gpt2 info}). */
    Map<String, String> describe();

    // ---- memory --------------------------------------------------------------------------------------------------

    /**
     * Makes a weight available to the kernels, held as {@code storeAs}. A CPU backend may use {@code weight.data()} in
     * place when no conversion is needed; a GPU backend copies it to the device. {@link WeightRole#VECTOR} weights are
     * always held as F32.
     *
     * @param storeAs one of the backend's {@link Probe#weightTypes()}
     */
    Tensor upload(WeightView weight, WeightRole role, DType storeAs);

    /** A new F32 activation of {@code rows x cols}; its contents are unspecified until written. */
    Tensor allocate(int rows, int cols);

    /** A new cache for one sequence: keys and values of {@code nLayer} layers, {@code capacity} positions. */
    KvCache allocateCache(int nLayer, int nHead, int headDim, int capacity);

    /** Copies the first {@code positions} positions of every layer from {@code src} to {@code dst} (a shared prefix). */
    void copyCache(KvCache dst, KvCache src, int positions);

    /** Writes {@code src} (row-major, {@code src.length / dst.cols()} whole rows) into the first rows of {@code dst}. */
    void write(Tensor dst, float[] src);

    /** Reads rows {@code [firstRow, firstRow + rows)} of an F32 tensor into {@code dst} (row-major). */
    void read(Tensor src, int firstRow, int rows, float[] dst);

    // ---- kernels -------------------------------------------------------------------------------------------------

    /**
     * {@code out[r] = wte[ids[r]] + wpe[positions[r]]}.
     *
     * @param out [R, C] with R = ids.length = positions.length
     */
    void embed(Tensor out, Tensor wte, Tensor wpe, int[] ids, int[] positions);

    /**
     * Layer norm over each row: {@code out = (in - mean) / sqrt(var + eps) * weight + bias}, biased variance.
     *
     * @param out [rows, C]; may be {@code in}
     * @param in  [rows, C]
     */
    void layerNorm(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, float eps);

    /**
     * {@code x . W + b} for the first {@code rows} rows, then the epilogue.
     *
     * @param out    [rows, N]; never {@code in}
     * @param in     [rows, K]
     * @param weight [K, N], any of the backend's weight dtypes
     * @param bias   [1, N]
     */
    void matmul(Tensor out, Tensor in, int rows, Tensor weight, Tensor bias, Epilogue epilogue);

    /**
     * Causal multi-head attention of one layer. For each slice: the keys and values of its rows (from {@code qkv})
     * are stored in its cache at positions {@code pastLength ..}; then each row attends over the cache positions up
     * to and including its own, with scores scaled by {@code 1 / sqrt(headDim)}.
     *
     * @param out   [R, C]: the heads' outputs side by side (head h in columns {@code h*headDim ..})
     * @param qkv   [R, 3C]: q, k, v side by side, as c_attn produces them
     * @param layer which layer of the caches
     */
    void attention(Tensor out, Tensor qkv, int layer, AttentionBatch batch);

    /**
     * Logits against the tied embedding: {@code out[i] = hidden[rows[i]] . wte^T}.
     *
     * @param out    [rows.length, V] (at least that many rows)
     * @param hidden [R, C], after the final layer norm
     */
    void logits(Tensor out, Tensor hidden, int[] rows, Tensor wte);

    /**
     * Chooses one token for each of the first {@code choices.length} rows of {@code logits}. The default copies each
     * row to the host and applies {@link HostSampler}; a backend with {@link Capability#DEVICE_SAMPLING} overrides it
     * and must choose the same tokens for the same logits.
     */
    default int[] chooseTokens(Tensor logits, TokenChoice[] choices) {
        int v = logits.cols();
        float[] row = new float[v];
        int[] chosen = new int[choices.length];
        for (int i = 0; i < choices.length; i++) {
            read(logits, i, 1, row);
            chosen[i] = HostSampler.choose(row, choices[i]);
        }
        return chosen;
    }

    /**
     * {@code out[i] = ln softmax(logits[i])[targets[i]]} for the first {@code targets.length} rows, accumulated in
     * double. The default copies the rows to the host.
     */
    default void tokenLogProbs(Tensor logits, int[] targets, double[] out) {
        int v = logits.cols();
        float[] row = new float[v];
        for (int i = 0; i < targets.length; i++) {
            read(logits, i, 1, row);
            out[i] = HostSampler.logSoftmaxAt(row, targets[i]);
        }
    }

    /**
     * Measures the read bandwidth and FP32 peak of where this backend computes, with its own threads, spending about
     * {@code budget}. Empty when the backend cannot measure them.
     */
    default Optional<DeviceLimits> measureLimits(Duration budget) {
        return Optional.empty();
    }

    /** Frees everything this backend allocated. Tensors and caches it made are unusable afterwards. */
    @Override
    void close();
}
