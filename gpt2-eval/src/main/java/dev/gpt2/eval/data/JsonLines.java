package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.jr.ob.JSON;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads JSON Lines files (one JSON object per line; blank lines are skipped) with the line of any error named. */
public final class JsonLines {
    private JsonLines() {
    }

    /** Turns one parsed line into an item; reports missing or mistyped fields through {@link Fields}. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Fields fields);
    }

    /** Every non-blank line of {@code file} parsed by {@code parser}. */
    public static <T> List<T> read(Path file, String expected, Parser<T> parser) {
        List<String> lines = TextFile.lines(file, expected);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> object;
            try (JsonParser p = JSON.std.createParser(line)) {
                object = JSON.std.mapFrom(p);
                if (p.nextToken() != null) {
                    throw EvalDataException.malformed(file, i + 1,
                            "holds more after its JSON object; expected one object per line: " + expected);
                }
            } catch (JacksonException e) {
                throw EvalDataException.malformed(file, i + 1,
                        "not a JSON object (" + e.getOriginalMessage() + "); expected " + expected);
            }
            out.add(parser.parse(new Fields(file, i + 1, "", object, expected)));
        }
        if (out.isEmpty()) {
            throw EvalDataException.malformed(file, "has no items; expected " + expected);
        }
        return out;
    }
}
