package dev.gpt2.core;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON document (config.json, a safetensors header, an index file) into plain Java values with Jackson's
 * streaming parser: objects become {@link Map}s in document order, arrays {@link List}s, numbers {@link Number}s.
 * Duplicate names are an error.
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /**
     * Parses one JSON value.
     *
     * @param what names the document in error messages ("config.json in /models/gpt2")
     * @throws dev.gpt2.api.Gpt2Exception of kind INVALID_MODEL when it is not one valid JSON value
     */
    static Object parse(byte[] bytes, String what) {
        // JSON is UTF-8 here (safetensors and Hugging Face say so): decoded first, so that Jackson does not guess
        // another encoding from stray bytes and report "Invalid UTF-32 character"
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw Errors.invalidModel(what + " is not valid JSON: its bytes are not UTF-8 text");
        }
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw Errors.invalidModel(what + " is empty: expected a JSON object");
            }
            Object value = value(p, first);
            if (p.nextToken() != null) {
                throw Errors.invalidModel(what + " is not valid JSON: content follows the end of the value");
            }
            return value;
        } catch (JacksonException e) {
            String where = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().replace('\n', ' ');
            throw Errors.invalidModel(what + " is not valid JSON" + where + ": " + why);
        }
    }

    /** Parses a JSON object. */
    static Map<String, Object> parseObject(byte[] bytes, String what) {
        return object(parse(bytes, what), what);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw Errors.invalidModel(what + " must be a JSON object, found " + describe(value));
    }

    static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "the string \"" + s + "\"";
            default -> String.valueOf(value);
        };
    }

    private static Object value(JsonParser p, JsonToken token) {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String name = p.nextName(); name != null; name = p.nextName()) {
                    map.put(name, value(p, p.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(value(p, t));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalStateException("unexpected JSON token " + token);
        };
    }
}
