package dev.gpt2.tokenizer;

/**
 * Reads JSON text token by token (strings with every escape, non-negative integers, punctuation), with errors that
 * name the source, the line and the column. Enough for vocabulary files; not a general JSON library.
 */
final class JsonCursor {
    private final String source;
    private final String text;
    private int pos;

    /**
     * @param source what the text is, for error messages (a file name)
     * @param text   the JSON text
     */
    JsonCursor(String source, String text) {
        this.source = source;
        this.text = text;
    }

    int position() {
        return pos;
    }

    void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    boolean atEnd() {
        return pos >= text.length();
    }

    /** The next char, not consumed; {@code '\0'} at the end. */
    char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    /** Consumes {@code c} if it comes next. */
    boolean consume(char c) {
        if (peek() == c && pos < text.length()) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes {@code c}, or fails saying what was expected. */
    void expect(char c, String expected) {
        if (!consume(c)) {
            throw error("expected " + expected + (atEnd() ? ", found the end" : ", found '" + peek() + "'"));
        }
    }

    /** A JSON string, unescaped ({@code \\uXXXX} escapes of a surrogate pair become the pair). */
    String string() {
        expect('"', "'\"' (a string)");
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            if (atEnd()) {
                throw error("the text ends inside a string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    throw error("the text ends inside a string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> sb.append(hex4());
                    default -> {
                        pos--;
                        throw error("unknown escape '\\" + e + "'");
                    }
                }
            } else if (c < 0x20) {
                pos--;
                throw error(String.format("raw control character U+%04X inside a string", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    /** A non-negative JSON integer that fits an int; {@code what} names it in the error. */
    int integer(String what) {
        int start = pos;
        long v = 0;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9' && v <= Integer.MAX_VALUE) {
            v = v * 10 + (text.charAt(pos++) - '0');
        }
        if (pos == start || v > Integer.MAX_VALUE) {
            pos = start;
            throw error("expected " + what + " (an integer from 0 to " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** An error at the current position: "source line L, column C: message". */
    IllegalArgumentException error(String message) {
        return errorAt(pos, message);
    }

    /** An error at {@code at}, a position read before. */
    IllegalArgumentException errorAt(int at, String message) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new IllegalArgumentException(
                source + " line " + line + ", column " + (at - lineStart + 1) + ": " + message);
    }

    private char hex4() {
        if (pos + 4 > text.length()) {
            throw error("expected 4 hex digits after '\\u'");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw error("expected 4 hex digits after '\\u', found \"" + text.substring(pos, pos + 4) + "\"");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }
}
