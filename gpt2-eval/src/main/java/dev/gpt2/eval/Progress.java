package dev.gpt2.eval;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a running evaluation stands.
 *
 * @param task    what runs
 * @param done    items finished
 * @param total   items to do (after {@code --limit})
 * @param unit    what an item is ("windows", "passages", "questions", ...)
 * @param elapsed time since the evaluation started
 */
public record Progress(Task task, long done, long total, String unit, Duration elapsed) {

    /** Items per second so far; 0 before the first item. */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return done == 0 || seconds <= 0 ? 0 : done / seconds;
    }

    /** The time left at the rate so far; empty before the first item. */
    public Optional<Duration> remaining() {
        double r = rate();
        if (r <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.round((total - done) / r * 1000)));
    }

    /** One line: {@code lambada: 120/5153 passages  3.4/s  eta 25m12s}. */
    public String line() {
        String eta = remaining().map(Progress::format).orElse("?");
        return String.format(java.util.Locale.ROOT, "%s: %d/%d %s  %.2f/s  elapsed %s  left %s", task.id(), done,
                total, unit, rate(), format(elapsed), eta);
    }

    /** {@code 1h02m03s}, {@code 4m05s} or {@code 6s}. */
    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 3600) {
            return String.format(java.util.Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        if (s >= 60) {
            return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
