package dev.gpt2.api;

/** Why a generation ended. */
public enum StopReason {
    /** {@link GenerationOptions#maxNewTokens()} tokens were generated. */
    MAX_TOKENS,
    /** The model produced {@code <|endoftext|>} (id 50256) and the options say to stop there. */
    END_OF_TEXT,
    /** The text produced contains one of the stop strings. */
    STOP_STRING,
    /** The caller cancelled through {@link Cancellation} or interrupted the generating thread. */
    CANCELLED
}
