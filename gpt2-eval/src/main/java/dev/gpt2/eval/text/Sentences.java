package dev.gpt2.eval.text;

import java.util.ArrayList;
import java.util.List;

/** Splits generated text into sentences: a sentence ends at {@code .}, {@code !} or {@code ?} (with any closing
 * quotes or brackets) followed by white space, or at a line break. */
public final class Sentences {
    private Sentences() {
    }

    /** The sentences of {@code text}, stripped, without empty ones. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            int end = -1;
            if (c == '\n') {
                end = i;
            } else if (c == '.' || c == '!' || c == '?') {
                int j = i + 1;
                while (j < n && "\"')]".indexOf(text.charAt(j)) >= 0) {
                    j++;
                }
                if (j == n || Character.isWhitespace(text.charAt(j))) {
                    end = j;
                    i = j - 1;
                }
            }
            if (end >= 0) {
                add(out, text.substring(start, end));
                start = end;
            }
        }
        add(out, text.substring(start));
        return out;
    }

    /** The first {@code count} sentences, one per line. */
    public static String first(String text, int count) {
        List<String> all = split(text);
        return String.join("\n", all.subList(0, Math.min(count, all.size())));
    }

    private static void add(List<String> out, String s) {
        String t = s.strip();
        if (!t.isEmpty()) {
            out.add(t);
        }
    }
}
