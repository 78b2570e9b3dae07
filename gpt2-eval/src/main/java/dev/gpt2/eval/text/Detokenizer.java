package dev.gpt2.eval.text;

import java.util.regex.Pattern;

/**
 * Undoes the tokenization of pre-tokenized benchmark text line by line, so that GPT-2 sees text close to what it was
 * trained on (the paper's section 3.1: "invertible de-tokenizers which remove as many of these tokenization /
 * pre-processing artifacts as possible"). OpenAI did not publish theirs; these follow the published rules of the
 * same kind (Megatron-LM's and lm-evaluation-harness's WikiText and PTB detokenizers, Moses-style quote handling).
 * The score is still the log-probability of the whole dataset: only the per-unit normalisation uses the original
 * file's word count.
 */
public enum Detokenizer {
    /** WikiText-2 / -103 ({@code wiki.test.tokens}): {@code @-@} joiners, spaced punctuation, {@code = = headings = =}. */
    WIKITEXT {
        @Override
        public String line(String line) {
            String s = line.strip();
            s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".");
            s = s.replace("= = = =", "====").replace("= = =", "===").replace("= =", "==");
            s = s.replace(" " + (char) 176 + " ", String.valueOf((char) 176));
            return common(s);
        }
    },
    /** Mikolov's Penn Treebank ({@code ptb.test.txt}): lower case, no punctuation, {@code N} for numbers. */
    PTB {
        @Override
        public String line(String line) {
            String s = line.strip();
            s = s.replace("$ N", "$N").replace("# N", "#N");
            return contractions(s);
        }
    },
    /** PTB-style tokenized prose: One Billion Word and the Children's Book Test. */
    PTB_STYLE {
        @Override
        public String line(String line) {
            String s = line.strip();
            s = s.replace("-LRB- ", "(").replace(" -RRB-", ")").replace("-LRB-", "(").replace("-RRB-", ")");
            s = LATEX_OPEN.matcher(s).replaceAll("\"");
            s = LATEX_CLOSE.matcher(s).replaceAll("\"");
            return common(s);
        }
    };

    private static final Pattern LATEX_OPEN = Pattern.compile("``\\s*");
    private static final Pattern LATEX_CLOSE = Pattern.compile("\\s*''");
    private static final Pattern SPACE_BEFORE = Pattern.compile(" ([.,;:!?%)\\]}])");
    private static final Pattern SPACE_AFTER = Pattern.compile("([(\\[{$]) ");
    private static final Pattern CONTRACTION = Pattern.compile(" (n't|'s|'re|'ve|'ll|'d|'m|')(?= |$)",
            Pattern.CASE_INSENSITIVE);

    /** The detokenized text of one line of the tokenized file (without its line break). */
    public abstract String line(String line);

    static String contractions(String s) {
        return CONTRACTION.matcher(s).replaceAll("$1");
    }

    /** Attaches punctuation, contractions and straight double quotes (alternately opening and closing). */
    static String common(String s) {
        String t = SPACE_BEFORE.matcher(s).replaceAll("$1");
        t = SPACE_AFTER.matcher(t).replaceAll("$1");
        t = contractions(t);
        return quotes(t);
    }

    private static String quotes(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean open = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '"') {
                out.append(c);
                continue;
            }
            if (open) {
                out.append('"');
                if (i + 1 < s.length() && s.charAt(i + 1) == ' ') {
                    i++;
                }
            } else {
                if (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') {
                    out.setLength(out.length() - 1);
                }
                out.append('"');
            }
            open = !open;
        }
        return out.toString();
    }
}
