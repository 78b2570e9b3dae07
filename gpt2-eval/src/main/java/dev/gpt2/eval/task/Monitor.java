package dev.gpt2.eval.task;

import dev.gpt2.api.Cancellation;
import dev.gpt2.eval.Progress;
import dev.gpt2.eval.ProgressListener;
import dev.gpt2.eval.Task;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Counts the items of a running evaluation, applies {@code --limit}, watches the stop flag and reports progress.
 * Runners process items in batches through {@link #forEachBatch}.
 */
public final class Monitor {
    private final Task task;
    private final ProgressListener listener;
    private final Cancellation stop;
    private final long limit;
    private final long startNanos;
    private String unit = "items";
    private long total;
    private long done;

    public Monitor(Task task, ProgressListener listener, Cancellation stop, long limit) {
        this.task = task;
        this.listener = listener;
        this.stop = stop;
        this.limit = limit;
        this.startNanos = System.nanoTime();
    }

    /** Declares how many items there are (before {@code --limit}) and what they are called; returns the total. */
    public long start(long available, String unitName) {
        this.unit = unitName;
        this.total = limit > 0 ? Math.min(limit, available) : available;
        report();
        return total;
    }

    /**
     * Runs {@code work} on consecutive batches of the first {@link #total()} items until all are done or a stop is
     * requested. {@code work} returns false when its batch was cut short by the stop (a cancelled generation); such a
     * batch is not counted and ends the loop.
     */
    public <T> void forEachBatch(List<T> items, int batchSize, Predicate<List<T>> work) {
        int n = (int) Math.min(total, items.size());
        for (int from = (int) done; from < n && !stopped(); from += batchSize) {
            List<T> batch = items.subList(from, Math.min(n, from + batchSize));
            if (!work.test(batch)) {
                return;
            }
            advance(batch.size());
        }
    }

    /** Marks {@code n} more items done and reports progress. */
    public void advance(long n) {
        done += n;
        report();
    }

    public boolean stopped() {
        return stop.isCancelled() || Thread.currentThread().isInterrupted();
    }

    /** The flag generations watch, so that a stop cuts a long generation short. */
    public Cancellation cancellation() {
        return stop;
    }

    public long total() {
        return total;
    }

    public long done() {
        return done;
    }

    public String unit() {
        return unit;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void report() {
        listener.progress(new Progress(task, done, total, unit, elapsed()));
    }
}
