package dev.gpt2.cli;

import dev.gpt2.tokenizer.Gpt2Tokenizer;
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
            "Ids whose bytes are not valid UTF-8 print U+FFFD, as Python's bytes.decode(errors='replace')."},
        footer = {"", "Examples:",
            "  echo 15496 11 995 0 | gpt2 decode                # Hello, world!",
            "  echo '{\"ids\": [15496]}' | gpt2 decode --jsonl   # {\"text\":\"Hello\"}"})
final class DecodeCommand implements Runnable {

    @Mixin
    InputOption input;

    @Option(names = "--jsonl", description = "Each input line is {\"ids\": [...]}; each output line is "
            + "{\"text\": \"...\"} (blank input lines are skipped).")
    boolean jsonl;

    /** Bytes of input read at a time. */
    private static final int READ_BLOCK = 1 << 20;

    private final OutputStream stdout = System.out;
    /** Ids decoded so far (where the next block's first id is in the whole input). */
    private long decoded;

    @Override
    public void run() {
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();
        Utf8Input in = input.open();
        if (jsonl) {
            JsonLines.transform(in, stdout,
                    (line, where, out) -> out.writeText(gpt2.decode(JsonLines.ids(line, where))));
            return;
        }
        // the ids are read block by block and their text written as it comes: memory stays bounded
        TextWriter out = new TextWriter(stdout);
        in.forEachBlock(READ_BLOCK, DecodeCommand::afterLastSeparator, (bytes, length, offset) -> {
            int[] ids = parseIds(bytes, length, in.name());
            out.write(gpt2.decodeBytes(ids, decoded));
            decoded += ids.length;
        });
        out.finish();
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
     * Writes the ids' bytes as text: complete UTF-8 characters as they come, bytes that are not valid UTF-8 as
     * U+FFFD, exactly as decoding all the bytes at once would (a character whose bytes arrive in two blocks waits
     * for the second).
     */
    private static final class TextWriter {
        private final OutputStream out;
        private byte[] pending = new byte[0];

        TextWriter(OutputStream out) {
            this.out = out;
        }

        void write(byte[] bytes) {
            byte[] all = pending.length == 0 ? bytes : concat(pending, bytes);
            int cut = Utf8Input.charStart(all, all.length);
            emit(all, cut);
            pending = Arrays.copyOfRange(all, cut, all.length);
        }

        void finish() {
            emit(pending, pending.length);
            pending = new byte[0];
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the text: " + e.getMessage(), e);
            }
        }

        private void emit(byte[] bytes, int length) {
            try {
                out.write(new String(bytes, 0, length, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the text: " + e.getMessage(), e);
            }
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] all = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /**
     * The ids written as decimal numbers separated by whitespace or commas.
     *
     * @throws IllegalArgumentException something else than such numbers, or a number beyond the int range
     */
    static int[] parseIds(byte[] text, int length, String source) {
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
                while (end < length && end - start < 40 && text[end] > ' ' && text[end] != ',') {
                    end++;
                }
                throw new IllegalArgumentException(source + ": \"" + new String(text, start, end - start,
                        StandardCharsets.UTF_8) + "\" is not a token id (expected decimal ids separated by spaces)");
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, 2 * n);
            }
            ids[n++] = (int) value;
        }
        return Arrays.copyOf(ids, n);
    }
}
