package dev.gpt2.core;

import dev.gpt2.tokenizer.StreamingDecoder;

import java.util.List;

/**
 * The text of one generation as it is produced: only complete UTF-8 (through the tokenizer's
 * {@link StreamingDecoder}), ending before the first stop string, and holding back any tail that could still grow
 * into a stop string, so that no piece handed out is ever taken back. A token the tokenizer has no bytes for (a model
 * whose vocabulary is larger than the tokenizer's) reads as U+FFFD.
 */
final class TextStream {
    private final StreamingDecoder decoder;
    private final int vocabSize;
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    /** {@code text[0, emitted)} has been handed out. */
    private int emitted;
    private boolean stopped;

    /** @param vocabSize the tokenizer's vocabulary size: ids at or past it have no text */
    TextStream(StreamingDecoder decoder, int vocabSize, List<String> stops) {
        this.decoder = decoder;
        this.vocabSize = vocabSize;
        this.stops = stops;
    }

    /** Adds a token; returns the text that became final (possibly empty). */
    String push(int id) {
        text.append(id >= 0 && id < vocabSize ? decoder.push(id) : "\ufffd");
        int stop = firstStop();
        if (stop >= 0) {
            stopped = true;
            text.setLength(stop);
            return take(stop);
        }
        return take(text.length() - heldBack());
    }

    /**
     * Ends the stream: returns everything not yet handed out, incomplete UTF-8 as U+FFFD, up to the first stop string
     * if that tail completes one (then {@link #stopped()}).
     */
    String finish() {
        if (!stopped) {
            text.append(decoder.finish());
            int stop = firstStop();
            if (stop >= 0) {
                stopped = true;
                text.setLength(stop);
            }
        }
        return take(text.length());
    }

    /** Whether a stop string has appeared. */
    boolean stopped() {
        return stopped;
    }

    /** The text so far (all of it once finished or stopped). */
    String text() {
        return text.toString();
    }

    private int firstStop() {
        int first = -1;
        for (String s : stops) {
            int at = text.indexOf(s, emitted);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** The length of the longest tail of the new text that is a proper prefix of a stop string. */
    private int heldBack() {
        int longest = 0;
        int fresh = text.length() - emitted;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, fresh); k > longest; k--) {
                if (endsWith(s, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether the text ends with the first {@code k} characters of {@code s}. */
    private boolean endsWith(String s, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(start + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String take(int end) {
        String piece = text.substring(emitted, end);
        emitted = end;
        return piece;
    }
}
