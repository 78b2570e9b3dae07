package dev.gpt2.jmh;

import java.util.ArrayList;
import java.util.List;

/** Splits a command line given as one string ({@code -Djmh.args="..."}) into arguments, as a POSIX shell would. */
final class Arguments {
    private Arguments() {
    }

    /**
     * Splits at unquoted white space; single quotes keep everything up to the next single quote, double quotes
     * everything up to the next unescaped double quote; a backslash outside single quotes escapes the next character.
     *
     * @throws IllegalArgumentException for an unclosed quote or a trailing backslash
     */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '\\') {
                if (++i == line.length()) {
                    throw new IllegalArgumentException("the arguments end with a lone backslash: " + line);
                }
                current.append(line.charAt(i));
                inWord = true;
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
            } else {
                current.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " quote in the arguments: " + line);
        }
        if (inWord) {
            out.add(current.toString());
        }
        return out;
    }
}
