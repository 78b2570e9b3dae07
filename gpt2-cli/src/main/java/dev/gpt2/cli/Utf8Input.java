package dev.gpt2.cli;

import dev.gpt2.tokenizer.Gpt2Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The input of {@code encode} and {@code decode}: a file ({@code --file}) or stdin, read as UTF-8. Bytes that are not
 * valid UTF-8 are read as U+FFFD ({@link Gpt2Tokenizer#decodeUtf8}: one per maximal invalid subsequence) and reported
 * once, in one line on stderr. Not thread-safe.
 */
final class Utf8Input {
    /** Bytes read at a time by {@link #forEachBlock}: memory stays bounded however long the input. */
    private static final int BLOCK_BYTES = 1 << 20;
    private final Path file;
    private final InputStream stdin;
    private final PrintWriter err;
    private final String command;
    private boolean warned;

    /**
     * @param file    the file to read, or null or "-" for stdin
     * @param stdin   the standard input
     * @param err     where the warning goes
     * @param command the command's name, for the warning
     */
    Utf8Input(Path file, InputStream stdin, PrintWriter err, String command) {
        this.file = file == null || file.toString().equals("-") ? null : file;
        this.stdin = stdin;
        this.err = err;
        this.command = command;
    }

    /** What is read, for messages: the file or "stdin". */
    String name() {
        return file == null ? "stdin" : file.toString();
    }

    /** Where a block of the input may end: {@code end} or before, the bytes after it start the next block. */
    @FunctionalInterface
    interface Cut {
        int at(byte[] bytes, int end);
    }

    /** A block of the input: {@code bytes[0, length)}, which start at byte {@code offset} of the whole input. */
    @FunctionalInterface
    interface BlockSink {
        void accept(byte[] bytes, int length, long offset);
    }

    /**
     * Reads the input in blocks of about {@value #BLOCK_BYTES} bytes, each ending where {@code cut} says (the last block
     * at the end of the input; a block is taken whole when {@code cut} would leave it empty or carry more than half a
     * block over to the next), and hands them to {@code sink} in order. Holds at most two blocks' bytes, however long
     * the input.
     */
    void forEachBlock(Cut cut, BlockSink sink) {
        InputStream in = open();
        try {
            byte[] buffer = new byte[2 * BLOCK_BYTES];
            int held = 0;
            long offset = 0;
            while (true) {
                int n = in.readNBytes(buffer, held, BLOCK_BYTES);
                int end = held + n;
                boolean last = n < BLOCK_BYTES;   // readNBytes stops short only at the end of the input
                int at = last ? end : cut.at(buffer, end);
                if (at <= 0 || end - at > BLOCK_BYTES / 2) {
                    at = end;
                }
                sink.accept(buffer, at, offset);
                offset += at;
                held = end - at;
                System.arraycopy(buffer, at, buffer, 0, held);
                if (last) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name() + ": " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // read to the end already; nothing is lost
                }
            }
        }
    }

    /**
     * Reads the input as text in blocks of about {@value #BLOCK_BYTES} bytes, each cut after a whole UTF-8 character,
     * and hands each block's text to {@code sink}: the texts joined are {@link #text} of all the bytes (the same
     * U+FFFD for the same invalid bytes, the warning naming the byte's offset in the whole input).
     */
    void forEachText(Consumer<String> sink) {
        forEachBlock(Utf8Input::charStart, (bytes, length, offset) ->
                sink.accept(text(bytes, 0, length, "", offset)));
    }

    /**
     * Where the last UTF-8 character of {@code bytes[0, end)} starts if its bytes may continue past {@code end}
     * (a lead byte less than its length from the end), else {@code end}.
     */
    static int charStart(byte[] bytes, int end) {
        for (int i = end - 1; i >= Math.max(0, end - 3); i--) {
            int b = bytes[i] & 0xff;
            if ((b & 0xc0) != 0x80) {
                int length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
                return i + length > end ? i : end;
            }
        }
        return end;
    }

    /** The file, opened, or stdin. */
    private InputStream open() {
        try {
            return file == null ? stdin : Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--file " + file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The text of {@code bytes[from, to)}; invalid UTF-8 becomes U+FFFD, with the warning the first time.
     *
     * @param where where the bytes are, for the warning ("" or " line 7")
     */
    String text(byte[] bytes, int from, int to, String where) {
        return text(bytes, from, to, where, 0);
    }

    /** {@link #text(byte[], int, int, String)} of bytes that start at byte {@code offset} of what is read. */
    private String text(byte[] bytes, int from, int to, String where, long offset) {
        String text = Gpt2Tokenizer.decodeUtf8(bytes, from, to - from);
        if (!warned && text.indexOf('\uFFFD') >= 0) {
            int bad = firstInvalidByte(bytes, from, to);
            if (bad >= 0) {
                warned = true;
                err.println("gpt2 " + command + ": warning: " + name() + where + " is not valid UTF-8 (byte "
                        + (offset + bad) + " of it is invalid): invalid bytes are read as U+FFFD");
                err.flush();
            }
        }
        return text;
    }

    /** The offset from {@code from} of the first byte that is not valid UTF-8, or -1. */
    static int firstInvalidByte(byte[] bytes, int from, int to) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position() - from;
            }
            if (result.isUnderflow()) {
                return -1;
            }
            out.clear();
        }
    }

    /** Reads the input line by line (lines end with "\n", a "\r" before it is dropped), holding one line at a time. */
    final class Lines {
        private final InputStream in;
        private byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;
        private byte[] line = new byte[256];
        private int number;

        Lines() {
            in = open();
        }

        /** The number of the line last read, from 1. */
        int number() {
            return number;
        }

        /** The next line's text, or null at the end of the input. */
        String next() {
            int len = 0;
            boolean any = false;
            while (true) {
                if (start == end && !fill()) {
                    if (!any) {
                        return null;
                    }
                    break;
                }
                any = true;
                int nl = start;
                while (nl < end && buffer[nl] != '\n') {
                    nl++;
                }
                int n = nl - start;
                if (len + n > line.length) {
                    line = Arrays.copyOf(line, Math.max(len + n, 2 * line.length));
                }
                System.arraycopy(buffer, start, line, len, n);
                len += n;
                start = nl;
                if (nl < end) {
                    start++;
                    break;
                }
            }
            number++;
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            return text(line, 0, len, " line " + number);
        }

        private boolean fill() {
            try {
                int n = in.read(buffer);
                start = 0;
                end = Math.max(n, 0);
                return n > 0;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name() + ": " + e.getMessage(), e);
            }
        }
    }
}
