package dev.gpt2.hub.progress;

import java.util.Locale;

/**
 * The progress of one job, shown as its {@link Progress} says: amount done, percentage, rate and time left.
 * Call {@link #advance(long)} as work is done and {@link #close()} at the end, also when the job fails (the line
 * then says where it stopped). Thread-safe.
 */
public final class ProgressBar implements AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final double NANOS_PER_SECOND = 1e9;

    private final Progress progress;
    private final String label;
    private final long total;
    private final long initial;
    private final ProgressUnit unit;
    private final long startNanos;
    private long done;
    private long lastShownNanos;
    private boolean closed;

    ProgressBar(Progress progress, String label, long total, long initial, ProgressUnit unit) {
        this.progress = progress;
        this.label = label;
        this.total = total;
        this.initial = initial;
        this.unit = unit;
        this.done = initial;
        this.startNanos = progress.now();
        this.lastShownNanos = startNanos;
        if (progress.mode() == Progress.Mode.BAR) {
            draw(startNanos);
        }
    }

    /** Counts {@code amount} more done. */
    public synchronized void advance(long amount) {
        if (closed) {
            return;
        }
        done += amount;
        long now = progress.now();
        switch (progress.mode()) {
            case BAR -> {
                if (now - lastShownNanos >= REDRAW_NANOS) {
                    draw(now);
                }
            }
            case LINES -> {
                if (now - lastShownNanos >= progress.lineIntervalNanos() && !complete()) {
                    line(now, runningLine(now));
                }
            }
            case OFF -> { }
        }
    }

    /** The amount done so far. */
    public synchronized long done() {
        return done;
    }

    /** Ends the job: a last line saying how long it took, or where it stopped if it is not complete. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long now = progress.now();
        switch (progress.mode()) {
            case BAR -> {
                draw(now);
                progress.endBar();
            }
            case LINES -> line(now, complete() ? finalLine(now) : stoppedLine());
            case OFF -> { }
        }
    }

    private boolean complete() {
        return total == 0 || done >= total;
    }

    /** The redrawn bar: {@code label  42% [#####.......] 230.1 MB/548.1 MB 12.3 MB/s 0:26 left}. */
    String barLine(long now) {
        String amounts = total > 0 ? unit.amount(done) + "/" + unit.amount(total) : unit.amount(done);
        String timing = closed && complete()
                ? " in " + clock(seconds(now - startNanos))
                : total > 0 ? " " + eta(now) + " left" : "";
        String tail = " " + amounts + " " + rateText(now) + timing;
        if (total == 0) {
            return fit(label, tail, progress.width());
        }
        String percent = String.format(Locale.ROOT, " %3d%% ", percent());
        int barWidth = progress.width() - 1 - percent.length() - tail.length() - Math.min(label.length(), 24) - 2;
        if (barWidth < 10) {
            return fit(label, percent.stripTrailing() + tail, progress.width());
        }
        int filled = (int) Math.min(barWidth, barWidth * done / total);
        String bar = "[" + "#".repeat(filled) + ".".repeat(barWidth - filled) + "]";
        return fit(label, percent + bar + tail, progress.width());
    }

    /** A plain line while running: {@code model.safetensors: 230.1 MB of 548.1 MB (42%), 12.3 MB/s, 0:26 left}. */
    String runningLine(long now) {
        if (total == 0) {
            return label + ": " + unit.amount(done) + ", " + rateText(now);
        }
        return label + ": " + unit.amount(done) + " of " + unit.amount(total) + " (" + percent() + "%), "
                + rateText(now) + ", " + eta(now) + " left";
    }

    /** The plain line at the end: {@code model.safetensors: 548.1 MB in 0:45 (12.2 MB/s)}. */
    String finalLine(long now) {
        return label + ": " + unit.amount(done) + " in " + clock(seconds(now - startNanos)) + " (" + rateText(now) + ")";
    }

    private String stoppedLine() {
        return label + ": stopped at " + unit.amount(done) + (total > 0 ? " of " + unit.amount(total) : "");
    }

    private void draw(long now) {
        lastShownNanos = now;
        progress.redraw(barLine(now));
    }

    private void line(long now, String text) {
        lastShownNanos = now;
        progress.line(text);
    }

    private int percent() {
        return (int) Math.min(100, 100 * done / total);
    }

    private double rate(long now) {
        double seconds = seconds(now - startNanos);
        return seconds > 0 ? (done - initial) / seconds : 0;
    }

    private String rateText(long now) {
        return unit.rate(rate(now));
    }

    private String eta(long now) {
        double rate = rate(now);
        return rate > 0 ? clock((total - Math.min(done, total)) / rate) : "?";
    }

    private static double seconds(long nanos) {
        return nanos / NANOS_PER_SECOND;
    }

    /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The label then the rest, the label cut from the left ({@code …tail}) so that the whole fits the width. */
    private static String fit(String label, String rest, int width) {
        int room = width - 1 - rest.length();
        if (label.length() <= room) {
            return label + rest;
        }
        return room > 1 ? "…" + label.substring(label.length() - room + 1) + rest : rest.strip();
    }
}
