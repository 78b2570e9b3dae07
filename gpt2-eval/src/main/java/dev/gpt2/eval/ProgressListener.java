package dev.gpt2.eval;

/** Receives the progress of an evaluation after each batch, on the evaluating thread. */
@FunctionalInterface
public interface ProgressListener {
    void progress(Progress progress);

    /** A listener that ignores everything. */
    static ProgressListener none() {
        return p -> { };
    }
}
