package dev.gpt2.eval.text;

import java.util.ArrayList;
import java.util.List;

/**
 * White space as Python's {@code str.split()}, {@code strip()} and {@code rstrip()} see it, which the reference
 * scripts of the metrics (sacreBLEU, the SQuAD and CoQA evaluators) and the corpora's word counts rely on: the
 * characters of {@code str.isspace()}, that is Unicode's White_Space (no-break spaces included, which Java's
 * {@link Character#isWhitespace} leaves out) and the separators U+001C..U+001F (which Java's {@code (?U)\s} leaves
 * out).
 */
public final class PythonText {
    private PythonText() {
    }

    /** Whether Python's {@code str.isspace()} is true for the code point. */
    public static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** {@code s.split()}: the runs of non-white-space characters. */
    public static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    /** {@code s.rstrip()}. */
    public static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
