package dev.gpt2.api;

/**
 * A flag another thread sets to stop a generation at its next token. Interrupting the generating thread has the
 * same effect. Thread-safe; one instance may cancel several generations.
 */
public final class Cancellation {
    private volatile boolean cancelled;

    /** A flag that is not yet set. */
    public Cancellation() {
    }

    /** Asks every generation watching this flag to stop after the token it is computing. */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }
}
