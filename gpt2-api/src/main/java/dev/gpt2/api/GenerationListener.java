package dev.gpt2.api;

/** Receives each generated token as it is produced, on the generating thread. */
@FunctionalInterface
public interface GenerationListener {
    void onToken(GeneratedToken token);

    /** A listener that ignores every token. */
    static GenerationListener none() {
        return token -> { };
    }
}
