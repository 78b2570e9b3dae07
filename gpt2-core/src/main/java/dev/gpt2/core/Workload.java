package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;

/**
 * The work in GPT-2's steps, counted one way for {@code gpt2 bench}, the JMH benchmarks and their report: FLOPs (2 per
 * multiply-add) and bytes read, so that a measured time becomes a rate to set beside the machine's limits (FP32 peak,
 * read bandwidth). Legend: C = n_embd, L = n_layer, V = vocabulary size, I = n_inner.
 */
public final class Workload {
    private static final int F32_BYTES = 4;

    private Workload() {
    }

    /** FLOPs of {@code x . W} with x [rows, k] and W [k, n] (the bias and epilogue not counted). */
    public static double matmulFlops(int rows, int k, int n) {
        return 2.0 * rows * k * n;
    }

    /**
     * Bytes of {@code values} matrix weights held as {@code dtype}; {@link DType#Q8_0} adds one F32 scale per block of
     * {@value DType#Q8_BLOCK} weights.
     */
    public static long matrixBytes(long values, DType dtype) {
        long scales = dtype == DType.Q8_0 ? values / DType.Q8_BLOCK * F32_BYTES : 0;
        return values * dtype.bits() / 8 + scales;
    }

    /**
     * FLOPs of causal attention in every layer for {@code rows} new positions after {@code past} cached ones: for each
     * head, q.k and the weighted sum of v over the positions each row sees (softmax not counted).
     */
    public static double attentionFlops(ModelConfig c, int rows, int past) {
        double seen = (double) rows * past + (double) rows * (rows + 1) / 2;   // sum over rows of positions seen
        return 2.0 * 2 * c.nEmbd() * c.nLayer() * seen;
    }

    /** Bytes of keys and values one new position reads attending over {@code positions} cached ones, every layer (F32). */
    public static long kvCacheBytes(ModelConfig c, int positions) {
        return 2L * c.nLayer() * positions * c.nEmbd() * F32_BYTES;
    }

    /**
     * FLOPs of a prefill of {@code tokens} tokens: the four matmuls of every block for every token, causal attention,
     * and the logits of the last token.
     */
    public static double prefillFlops(ModelConfig c, int tokens) {
        int e = c.nEmbd();
        double perLayer = matmulFlops(tokens, e, 3 * e) + matmulFlops(tokens, e, e)
                + matmulFlops(tokens, e, c.nInner()) + matmulFlops(tokens, c.nInner(), e);
        return c.nLayer() * perLayer + attentionFlops(c, tokens, 0) + matmulFlops(1, e, c.vocabSize());
    }

    /**
     * Bytes of weights one decode step reads, held as {@code dtype}: every matrix, the whole token embedding (the tied
     * LM head) and the vectors (always F32), but one row of the position embedding.
     */
    public static long weightBytesPerToken(ModelConfig c, DType dtype) {
        long e = c.nEmbd();
        long perLayerMatrices = e * 3 * e + e * e + 2 * e * c.nInner();
        long matrices = c.nLayer() * perLayerMatrices + (long) c.vocabSize() * e + e;
        long vectors = c.parameterCount() - matrices - (long) c.nPositions() * e + e;
        return matrixBytes(matrices, dtype) + F32_BYTES * vectors;
    }

    /**
     * Bytes one decode step reads when it attends over {@code context} positions: the weights and the keys and values
     * of the cache. Decode at batch 1 cannot beat the read bandwidth divided by this.
     */
    public static long decodeBytesPerToken(ModelConfig c, DType dtype, int context) {
        return weightBytesPerToken(c, dtype) + kvCacheBytes(c, context);
    }
}
