package dev.gpt2.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON lines of {@code encode --jsonl} and {@code decode --jsonl}, read and written with Jackson's streaming API:
 * exact string escapes both ways ({@code \\uXXXX}, surrogate pairs), one JSON object per line.
 */
final class JsonLines implements AutoCloseable {
    /** No limit on the length of a text (Jackson's default stops at 20 million chars). */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .rootValueSeparator((String) null)
            .build();

    private final JsonGenerator out;

    /** A writer of JSON lines to {@code out}. */
    JsonLines(Writer out) {
        this.out = JSON.createGenerator(ObjectWriteContext.empty(), out);
    }

    /** Writes {@code {"ids":[...]}} and a newline. */
    void writeIds(int[] ids) {
        out.writeStartObject();
        out.writeName("ids");
        out.writeArray(ids, 0, ids.length);
        out.writeEndObject();
        out.writeRaw('\n');
    }

    /** Writes {@code {"count":n}} and a newline. */
    void writeCount(int count) {
        out.writeStartObject();
        out.writeName("count");
        out.writeNumber(count);
        out.writeEndObject();
        out.writeRaw('\n');
    }

    /** Writes {@code {"text":"..."}} and a newline. */
    void writeText(String text) {
        out.writeStartObject();
        out.writeStringProperty("text", text);
        out.writeEndObject();
        out.writeRaw('\n');
    }

    /** What {@link #transform} does with one line: reads it and writes the output line. */
    interface LineHandler {
        /**
         * @param line  the line's text
         * @param where where it is, for errors ("stdin line 3")
         * @param out   where its output line goes
         */
        void handle(String line, String where, JsonLines out);
    }

    /** Hands every non-blank line of the input to {@code handler}, which writes JSON lines to {@code stdout}. */
    static void transform(Utf8Input input, OutputStream stdout, LineHandler handler) {
        OutputStreamWriter writer = new OutputStreamWriter(stdout, StandardCharsets.UTF_8);
        try (JsonLines out = new JsonLines(writer)) {
            Utf8Input.Lines lines = input.new Lines();
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (!line.isBlank()) {
                    handler.handle(line, input.name() + " line " + lines.number(), out);
                }
            }
        }
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the output: " + e.getMessage(), e);
        }
    }

    /** Flushes what is written (the writer underneath stays open). */
    @Override
    public void close() {
        out.flush();
    }

    /**
     * The string of the field {@code "text"} of the JSON object on the line.
     *
     * @param where where the line is, for errors ("stdin line 3")
     * @throws IllegalArgumentException the line is not such an object
     */
    static String text(String line, String where) {
        String[] text = new String[1];
        readObject(line, where, "text", "{\"text\": \"...\"}", p -> {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException(where + ": \"text\" must be a string, found " + p.currentToken());
            }
            text[0] = p.getString();
        });
        return text[0];
    }

    /**
     * The ints of the field {@code "ids"} of the JSON object on the line.
     *
     * @throws IllegalArgumentException the line is not such an object
     */
    static int[] ids(String line, String where) {
        int[][] ids = new int[1][];
        readObject(line, where, "ids", "{\"ids\": [...]}", p -> {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(where + ": \"ids\" must be an array, found " + p.currentToken());
            }
            int[] values = new int[16];
            int n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw new IllegalArgumentException(where + ": \"ids\" must hold integers, found " + t + " "
                            + p.getString());
                }
                if (p.getNumberType() != JsonParser.NumberType.INT) {
                    throw new IllegalArgumentException(where + ": \"ids\" holds " + p.getString()
                            + ", which is not a token id (out of the int range)");
                }
                if (n == values.length) {
                    values = Arrays.copyOf(values, 2 * n);
                }
                values[n++] = p.getIntValue();
            }
            ids[0] = Arrays.copyOf(values, n);
        });
        return ids[0];
    }

    /** What to do with the value of the wanted field; the parser is on its first token. */
    private interface FieldReader {
        void read(JsonParser parser);
    }

    private static void readObject(String line, String where, String field, String shape, FieldReader reader) {
        boolean found = false;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(where + ": expected a JSON object " + shape);
            }
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                p.nextToken();
                if (name.equals(field)) {
                    reader.read(p);
                    found = true;
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException(where + ": expected one JSON object " + shape
                        + ", found more after it");
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: "
                    + e.getOriginalMessage().replace('\n', ' '));
        }
        if (!found) {
            throw new IllegalArgumentException(where + ": expected " + shape + ", found no \"" + field + "\" field");
        }
    }
}
