package dev.gpt2.hub.progress;

import java.util.Locale;

/** What a progress bar counts, and how its amounts and rates are written. */
public enum ProgressUnit {
    /** Bytes, written with decimal SI prefixes as download tools do: {@code 548.1 MB}, {@code 12.3 MB/s}. */
    BYTES,
    /** Items (examples, documents, tokens), written as plain numbers: {@code 1234}, {@code 56.7/s}. */
    ITEMS;

    private static final String[] PREFIXES = {"", "k", "M", "G", "T", "P"};

    /** An amount: {@code 548.1 MB} or {@code 1234}. */
    public String amount(long count) {
        return switch (this) {
            case BYTES -> scaled(count) + "B";
            case ITEMS -> Long.toString(count);
        };
    }

    /** A rate per second: {@code 12.3 MB/s} or {@code 56.7/s}. */
    public String rate(double perSecond) {
        return switch (this) {
            case BYTES -> scaled(perSecond) + "B/s";
            case ITEMS -> String.format(Locale.ROOT, "%.1f/s", perSecond);
        };
    }

    private static String scaled(double value) {
        int prefix = 0;
        while (value >= 999.95 && prefix < PREFIXES.length - 1) {
            value /= 1000;
            prefix++;
        }
        return prefix == 0
                ? String.format(Locale.ROOT, "%d ", Math.round(value))
                : String.format(Locale.ROOT, "%.1f %s", value, PREFIXES[prefix]);
    }
}
