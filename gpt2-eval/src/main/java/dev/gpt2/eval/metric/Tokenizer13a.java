package dev.gpt2.eval.metric;

import dev.gpt2.eval.text.PythonText;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The tokenization of WMT's {@code mteval-v13a.pl} as sacreBLEU implements it (its default, {@code 13a}): a few
 * entities are unescaped, then punctuation is split off, periods and commas except inside numbers, and a dash after a
 * digit.
 */
public final class Tokenizer13a {
    // the character classes of mteval-v13a: {|}~ [\]^_` space!"#$%& ()*+ :;<=>?@ /
    private static final Pattern PUNCTUATION = Pattern.compile("([{-~\\[-` -&(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private Tokenizer13a() {
    }

    /** The tokens of one segment (sacreBLEU strips trailing whitespace first; white space is Python's). */
    public static List<String> tokenize(String segment) {
        String line = PythonText.stripTrailing(segment)
                .replace("<skipped>", "")
                .replace("-\n", "")
                .replace("\n", " ")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
        line = " " + line + " ";
        line = PUNCTUATION.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return PythonText.split(line);
    }
}
