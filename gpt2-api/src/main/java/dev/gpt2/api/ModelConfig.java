package dev.gpt2.api;

/**
 * The shape of a GPT-2 model: the fields of a Hugging Face {@code GPT2Config} that the graph uses.
 *
 * @param nLayer          number of transformer blocks
 * @param nEmbd           width of the residual stream (C)
 * @param nHead           number of attention heads; divides {@code nEmbd}
 * @param nPositions      context length: the number of rows of {@code wpe}
 * @param vocabSize       number of rows of {@code wte}
 * @param nInner          width of the MLP's hidden layer (4 * nEmbd in every released model)
 * @param layerNormEpsilon the epsilon of every layer norm (1e-5)
 */
public record ModelConfig(int nLayer, int nEmbd, int nHead, int nPositions, int vocabSize, int nInner,
                          float layerNormEpsilon) {

    /** @throws IllegalArgumentException naming the field and its value when the shape cannot be a GPT-2 */
    public ModelConfig {
        positive("n_layer", nLayer);
        positive("n_embd", nEmbd);
        positive("n_head", nHead);
        positive("n_positions", nPositions);
        positive("vocab_size", vocabSize);
        positive("n_inner", nInner);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException(
                    "n_embd " + nEmbd + " is not a multiple of n_head " + nHead + ": each head needs an equal slice");
        }
        if (!(layerNormEpsilon > 0) || !Float.isFinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be a positive number, got " + layerNormEpsilon);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }

    /** Width of one attention head: {@code nEmbd / nHead}. */
    public int headDim() {
        return nEmbd / nHead;
    }

    /** Number of parameters, counting the tied embedding once. */
    public long parameterCount() {
        long c = nEmbd;
        long perLayer = 2 * c                      // ln_1
                + c * 3 * c + 3 * c                // c_attn
                + c * c + c                        // attn.c_proj
                + 2 * c                            // ln_2
                + c * nInner + nInner              // c_fc
                + (long) nInner * c + c;           // mlp.c_proj
        return (long) vocabSize * c + (long) nPositions * c + nLayer * perLayer + 2 * c;
    }
}
