package dev.gpt2.benchmarks;

import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightRole;

/**
 * The products of a GPT-2 forward pass, named after the checkpoint's weights (C = n_embd, I = n_inner, V = vocab):
 * {@code x [rows, K] . W [K, N]}.
 */
public enum GemmShape {
    /** attn.c_attn: [C, 3C], the fused q, k, v projection. */
    C_ATTN,
    /** attn.c_proj: [C, C]. */
    ATTN_PROJ,
    /** mlp.c_fc: [C, I]. */
    C_FC,
    /** mlp.c_proj: [I, C]. */
    MLP_PROJ,
    /** the logits against the tied embedding: x . wte^T with wte [V, C]. */
    LOGITS;

    /** The input width K. */
    int k(ModelConfig c) {
        return this == MLP_PROJ ? c.nInner() : c.nEmbd();
    }

    /** The output width N. */
    int n(ModelConfig c) {
        return switch (this) {
            case C_ATTN -> 3 * c.nEmbd();
            case ATTN_PROJ, MLP_PROJ -> c.nEmbd();
            case C_FC -> c.nInner();
            case LOGITS -> c.vocabSize();
        };
    }

    /** How the weight is uploaded: the logits use the token embedding, [V, C]. */
    WeightRole role() {
        return this == LOGITS ? WeightRole.TOKEN_EMBEDDING : WeightRole.MATMUL;
    }
}
