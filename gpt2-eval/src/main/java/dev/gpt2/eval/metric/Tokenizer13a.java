package dev.gpt2.eval.metric;

import java.util.Arrays;
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
    // Python's str.split(): any Unicode white space
    private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+");

    private Tokenizer13a() {
    }

    /** The tokens of one segment (sacreBLEU strips trailing whitespace first). */
    public static List<String> tokenize(String segment) {
        String line = segment.stripTrailing()
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
        return Arrays.stream(WHITESPACE.split(line)).filter(t -> !t.isEmpty()).toList();
    }
}
