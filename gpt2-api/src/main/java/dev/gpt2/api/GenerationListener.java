package dev.gpt2.api;

/** Receives each generated token as it is produced, on the generating thread. */
@FunctionalInterface
public interface GenerationListener {
    /**
     * One generated token, with the text that became final with it (possibly empty: a character whose bytes are not
     * all out yet, or text that could still start a stop string, waits). The pieces of all calls make the result's
     * text. An exception thrown here ends the generation and reaches the caller of {@code generate}.
     */
    void onToken(GeneratedToken token);

    /** A listener that ignores every token. */
    static GenerationListener none() {
        return token -> { };
    }
}
