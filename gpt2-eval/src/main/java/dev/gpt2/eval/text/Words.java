package dev.gpt2.eval.text;

/** Word-level helpers for cloze answers and for counting a tokenized file's words. */
public final class Words {
    private Words() {
    }

    /**
     * The first word of {@code text} after leading white space: the longest run of letters and digits, with single
     * apostrophes or hyphens allowed between them ({@code don't}, {@code well-known}); empty when the text does not
     * start with a letter or digit.
     */
    public static String first(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                i++;
            } else if ((c == '\'' || c == '-' || c == '\u2019') && i > start && i + 1 < n
                    && Character.isLetterOrDigit(text.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        return text.substring(start, i);
    }

    /**
     * The number of words of one line of a tokenized corpus in the usual convention of word-level language
     * modelling (the PyTorch word_language_model loader, AWD-LSTM, Transformer-XL): its white-space separated tokens
     * plus one end-of-sentence token ({@code len(line.split()) + 1} in those loaders' Python).
     */
    public static int countWithEndOfLine(String line) {
        return PythonText.split(line).size() + 1;
    }
}
