package dev.gpt2.api.spi;

/** How the model uses a weight, so that a backend can lay it out for its kernels when it uploads it. */
public enum WeightRole {
    /** A matmul weight [in, out] (Conv1D layout: {@code y = x . W + b}). */
    MATMUL,
    /** The token embedding [vocab, C]: rows looked up by id, and the tied LM head ({@code logits = h . wte^T}). */
    TOKEN_EMBEDDING,
    /** The position embedding [n_positions, C]: rows looked up by position. */
    POSITION_EMBEDDING,
    /** A bias or a layer-norm weight or bias: one row. Always held in F32. */
    VECTOR
}
