package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads data files strictly: a missing file or bytes that are not UTF-8 fail with the file and line named. */
public final class TextFile {
    private TextFile() {
    }

    /** The lines of a UTF-8 text file, without line terminators ({@code \n} or {@code \r\n}). */
    public static List<String> lines(Path file, String expected) {
        requireFile(file, expected);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw EvalDataException.io(file, e);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            try {
                lines.add(decoder.decode(ByteBuffer.wrap(bytes, start, stop - start)).toString());
            } catch (CharacterCodingException e) {
                throw EvalDataException.malformed(file, lines.size() + 1, "not UTF-8 text; expected " + expected);
            }
            start = end + 1;
        }
        return lines;
    }

    /** The whole file as UTF-8 text. */
    public static String text(Path file, String expected) {
        return String.join("\n", lines(file, expected));
    }

    /** The last {@code count} bytes of a file (all of it when shorter). */
    public static byte[] tail(Path file, long count, String expected) {
        requireFile(file, expected);
        try (var channel = Files.newByteChannel(file)) {
            long size = channel.size();
            long start = Math.max(0, size - count);
            if (size - start > Integer.MAX_VALUE - 8) {
                throw EvalDataException.malformed(file, "the last " + count + " bytes do not fit one array");
            }
            byte[] out = new byte[(int) (size - start)];
            channel.position(start);
            var buffer = ByteBuffer.wrap(out);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // keep reading
            }
            return out;
        } catch (IOException e) {
            throw EvalDataException.io(file, e);
        }
    }

    /** Fails with one line when {@code file} is not a readable regular file. */
    public static void requireFile(Path file, String expected) {
        if (!Files.exists(file)) {
            throw EvalDataException.missing(file, expected);
        }
        if (!Files.isRegularFile(file)) {
            throw EvalDataException.malformed(file, "is not a regular file; expected " + expected);
        }
    }
}
