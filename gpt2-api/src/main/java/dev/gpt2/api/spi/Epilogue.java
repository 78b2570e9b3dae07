package dev.gpt2.api.spi;

/** What a matmul does with {@code x . W + b} before it lands in the output, so backends can fuse it. */
public enum Epilogue {
    /** {@code out = x . W + b}. */
    STORE,
    /** {@code out = gelu(x . W + b)} with GPT-2's tanh approximation ("gelu_new"). */
    GELU,
    /** {@code out += x . W + b}: the residual connection. */
    ACCUMULATE
}
