package dev.gpt2.hub.progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Where progress of long jobs goes, and how: a redrawn bar on a terminal, an occasional plain line in a log, or
 * nothing. Start one {@link ProgressBar} per job:
 * {@snippet :
 * Progress progress = Progress.toStderr();
 * try (ProgressBar bar = progress.start("model.safetensors", size, ProgressUnit.BYTES)) {
 *     // ... bar.advance(n) as bytes arrive
 * }
 * }
 *
 * <p>{@link #toStderr()} draws a bar only when stderr is a terminal; otherwise it writes a plain line every ten
 * seconds and one when a job ends. The system property {@code gpt2.progress} or else the environment variable
 * {@code GPT2_PROGRESS} forces the choice: {@code auto} (the default), {@code bar}, {@code lines} or {@code off}.
 */
public final class Progress {

    /** How progress is shown. */
    public enum Mode {
        /** One line redrawn in place (carriage return) at most ten times a second: for a terminal. */
        BAR,
        /** A plain line now and then and one at the end of each job: for logs and pipes. */
        LINES,
        /** Nothing. */
        OFF
    }

    /** The environment variable that forces the mode of {@link #toStderr()}. */
    public static final String ENVIRONMENT_VARIABLE = "GPT2_PROGRESS";
    /** The system property that forces the mode of {@link #toStderr()}; it wins over the environment variable. */
    public static final String SYSTEM_PROPERTY = "gpt2.progress";

    private static final Duration LINE_INTERVAL = Duration.ofSeconds(10);
    private static final int DEFAULT_WIDTH = 80;

    private final PrintStream out;
    private final Mode mode;
    private final LongSupplier nanoClock;
    private final long lineIntervalNanos;
    private final int width;
    private boolean barOpen;
    private int barLength;

    private Progress(PrintStream out, Mode mode, LongSupplier nanoClock, Duration lineInterval, int width) {
        this.out = Objects.requireNonNull(out);
        this.mode = Objects.requireNonNull(mode);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.lineIntervalNanos = lineInterval.toNanos();
        this.width = width;
        if (lineIntervalNanos <= 0 || width < 20) {
            throw new IllegalArgumentException("progress line interval must be positive and width at least 20, got "
                    + lineInterval + " and " + width);
        }
    }

    /**
     * Progress on {@code System.err}: a bar when stderr is a terminal, plain lines otherwise, unless
     * {@value #SYSTEM_PROPERTY} or {@value #ENVIRONMENT_VARIABLE} says otherwise. The bar is as wide as
     * {@code COLUMNS} says, else 80.
     *
     * @throws IllegalArgumentException if the setting is not one of {@code auto}, {@code bar}, {@code lines},
     *                                  {@code off}
     */
    public static Progress toStderr() {
        Map<String, String> env = System.getenv();
        String setting = System.getProperty(SYSTEM_PROPERTY, env.getOrDefault(ENVIRONMENT_VARIABLE, "auto"));
        Mode mode = chooseMode(setting, stderrIsTerminal() && !"dumb".equals(env.get("TERM")));
        return new Progress(System.err, mode, System::nanoTime, LINE_INTERVAL, columns(env.get("COLUMNS")));
    }

    /** No progress at all. */
    public static Progress off() {
        return new Progress(System.err, Mode.OFF, System::nanoTime, LINE_INTERVAL, DEFAULT_WIDTH);
    }

    /**
     * Progress on any stream, in a chosen mode, with a chosen clock: for tests and for programs that show progress
     * elsewhere.
     *
     * @param nanoClock    monotonic time in nanoseconds, like {@link System#nanoTime()}
     * @param lineInterval the least time between two plain lines of one job in {@link Mode#LINES}
     * @param width        the columns a bar may fill in {@link Mode#BAR}, at least 20
     */
    public static Progress to(PrintStream out, Mode mode, LongSupplier nanoClock, Duration lineInterval, int width) {
        return new Progress(out, mode, nanoClock, lineInterval, width);
    }

    /** How this shows progress. */
    public Mode mode() {
        return mode;
    }

    /**
     * Starts showing one job.
     *
     * @param label what is being done, shown first (a file name)
     * @param total the amount when done, or 0 when unknown
     */
    public ProgressBar start(String label, long total, ProgressUnit unit) {
        return start(label, total, 0, unit);
    }

    /**
     * Starts showing one job that is already partly done (a resumed download): {@code done} counts toward the
     * amount but not toward the rate.
     */
    public ProgressBar start(String label, long total, long done, ProgressUnit unit) {
        return new ProgressBar(this, label, Math.max(0, total), done, unit);
    }

    /**
     * Writes one line of its own, unless the mode is {@link Mode#OFF}. A bar being drawn is ended first and goes on
     * below the line.
     */
    public void note(String line) {
        if (mode != Mode.OFF) {
            line(line);
        }
    }

    /** Draws a bar line in place of the one drawn last, or below a line written since. */
    synchronized void redraw(String text) {
        String padding = barOpen ? " ".repeat(Math.max(0, barLength - text.length())) : "";
        out.print("\r" + text + padding);
        out.flush();
        barOpen = true;
        barLength = text.length();
    }

    /** Ends the bar line being drawn, if any. */
    synchronized void endBar() {
        if (barOpen) {
            out.println();
            out.flush();
            barOpen = false;
        }
    }

    /** Writes a whole line, below the bar line if one is being drawn. */
    synchronized void line(String text) {
        endBar();
        out.println(text);
        out.flush();
    }

    long now() {
        return nanoClock.getAsLong();
    }

    long lineIntervalNanos() {
        return lineIntervalNanos;
    }

    int width() {
        return width;
    }

    static Mode chooseMode(String setting, boolean terminal) {
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "" -> terminal ? Mode.BAR : Mode.LINES;
            case "bar" -> Mode.BAR;
            case "lines" -> Mode.LINES;
            case "off" -> Mode.OFF;
            default -> throw new IllegalArgumentException(SYSTEM_PROPERTY + " / " + ENVIRONMENT_VARIABLE
                    + " must be auto, bar, lines or off, got '" + setting + "'");
        };
    }

    static int columns(String value) {
        try {
            int columns = value == null ? DEFAULT_WIDTH : Integer.parseInt(value.trim());
            return columns >= 20 ? columns : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /** Whether stderr is a terminal: Linux tells through /proc; elsewhere the JDK's console check is the guess. */
    private static boolean stderrIsTerminal() {
        Path stderr = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(stderr)) {
                String target = Files.readSymbolicLink(stderr).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            // fall through to the console check
        }
        var console = System.console();
        return console != null && console.isTerminal();
    }
}
