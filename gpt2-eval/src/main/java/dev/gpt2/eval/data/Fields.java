package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields of one JSON object read from a data file, with typed getters that fail naming the file, the line (0 when
 * the file is one JSON document) and the path of the field.
 *
 * @param file     the data file
 * @param line     the line of the object, from 1; 0 when unknown
 * @param path     where the object sits in its document ({@code data[3].questions[0]}); empty at the top
 * @param object   the parsed object
 * @param expected what the file should hold, for the error message
 */
public record Fields(Path file, long line, String path, Map<String, Object> object, String expected) {

    /** A string field. */
    public String string(String name) {
        if (object.get(name) instanceof String s) {
            return s;
        }
        throw error("missing string field \"" + name + "\"");
    }

    /** A field holding a list of strings (a single string is taken as a list of one). */
    public List<String> strings(String name) {
        Object v = object.get(name);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list && !list.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw error("field \"" + name + "\" must hold strings, found " + o);
                }
                out.add(s);
            }
            return out;
        }
        throw error("missing field \"" + name + "\" (a non-empty list of strings)");
    }

    /** A field holding a list of objects. */
    public List<Fields> objects(String name) {
        if (!(object.get(name) instanceof List<?> list)) {
            throw error("missing field \"" + name + "\" (a list of objects)");
        }
        List<Fields> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(child(name + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    /** A field holding an object. */
    public Fields object(String name) {
        return child(name, object.get(name));
    }

    /** Whether the field is present. */
    public boolean has(String name) {
        return object.containsKey(name);
    }

    /** The field names of this object. */
    public List<String> names() {
        return List.copyOf(object.keySet());
    }

    /** A one-line error about this object. */
    public EvalDataException error(String what) {
        String where = path.isEmpty() ? "" : " at " + path;
        String message = what + where + "; expected " + expected;
        return line > 0 ? EvalDataException.malformed(file, line, message) : EvalDataException.malformed(file, message);
    }

    @SuppressWarnings("unchecked")
    private Fields child(String name, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw error("field \"" + name + "\" must be an object");
        }
        return new Fields(file, line, path.isEmpty() ? name : path + "." + name, (Map<String, Object>) map, expected);
    }
}
