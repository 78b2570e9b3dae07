package dev.gpt2.cli;

import dev.gpt2.tokenizer.Gpt2Tokenizer;
import dev.gpt2.tokenizer.StreamingDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** {@code gpt2 decode}: GPT-2 token ids to UTF-8 text. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {
            "Decode GPT-2 token ids (stdin, or --file; separated by spaces, newlines or commas) and print the text "
                + "as UTF-8, exactly (no newline is added).",
            "Ids whose bytes are not valid UTF-8 print U+FFFD, as Python's bytes.decode(errors='replace').",
            "The input is read and the text written a block at a time, so input of any length fits in memory; an "
                + "error past the first MiB comes after the text of what precedes it."},
        footer = {"", "Examples:",
            "  echo 15496 11 995 0 | gpt2 decode                # Hello, world!",
            "  echo '{\"ids\": [15496]}' | gpt2 decode --jsonl   # {\"text\":\"Hello\"}"})
final class DecodeCommand implements Runnable {

    @Mixin
    InputOption input;

    @Option(names = "--jsonl", description = "Each input line is {\"ids\": [...]}; each output line is "
            + "{\"text\": \"...\"} (blank input lines are skipped).")
    boolean jsonl;

    private final OutputStream stdout = System.out;

    @Override
    public void run() {
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();
        Utf8Input in = input.open();
        if (jsonl) {
            JsonLines.transform(in, stdout,
                    (line, where, out) -> out.writeText(decode(gpt2, JsonLines.ids(line, where), where)));
            return;
        }
        // the ids are read block by block and their text written as it comes: memory stays bounded
        StreamingDecoder decoder = gpt2.streamingDecoder();
        in.forEachBlock(DecodeCommand::afterLastSeparator,
                (bytes, length, offset) -> write(decoder.push(parseIds(bytes, length, offset, in.name()))));
        write(decoder.finish());
        try {
            stdout.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the text: " + e.getMessage(), e);
        }
    }

    /** {@code gpt2.decode(ids)}, an id out of range an error that says where the ids are. */
    private static String decode(Gpt2Tokenizer gpt2, int[] ids, String where) {
        try {
            return gpt2.decode(ids);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private void write(String text) {
        try {
            stdout.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the text: " + e.getMessage(), e);
        }
    }

    /** Where a block of ids may end: after its last separator, so that no id is cut in two. */
    private static int afterLastSeparator(byte[] bytes, int end) {
        for (int i = end - 1; i >= 0; i--) {
            if (separator(bytes[i])) {
                return i + 1;
            }
        }
        return end;
    }

    private static boolean separator(byte b) {
        return b == ' ' || b == ',' || b == '\n' || b == '\r' || b == '\t';
    }

    /**
     * The ids written as decimal numbers separated by whitespace or commas.
     *
     * @throws IllegalArgumentException something else than such numbers, or a number beyond the int range
     */
    static int[] parseIds(byte[] text, int length, long offset, String source) {
        int[] ids = new int[Math.max(16, length / 4)];
        int n = 0;
        int i = 0;
        while (i < length) {
            if (separator(text[i])) {
                i++;
                continue;
            }
            int start = i;
            long value = 0;
            while (i < length && text[i] >= '0' && text[i] <= '9' && value <= Integer.MAX_VALUE) {
                value = value * 10 + (text[i++] - '0');
            }
            if (i == start || (i < length && !separator(text[i])) || value > Integer.MAX_VALUE) {
                int end = start;
                while (end < length && end - start < 40 && (text[end] & 0xff) > ' ' && text[end] != ',') {
                    end++;
                }
                throw new IllegalArgumentException(source + ", byte " + (offset + start) + ": \"" + new String(text,
                        start, end - start, StandardCharsets.UTF_8) + "\" is not a token id (expected decimal ids"
                        + " separated by spaces)");
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
            }
            ids[n++] = (int) value;
        }
        return Arrays.copyOf(ids, n);
    }
}
