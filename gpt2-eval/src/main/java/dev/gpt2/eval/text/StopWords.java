package dev.gpt2.eval.text;

import java.util.Locale;
import java.util.Set;

/**
 * The English stop words of NLTK's {@code stopwords} corpus (the list in use in 2019), used for the paper's LAMBADA
 * stop-word filter: a prediction that is a stop word is rarely the final word of a LAMBADA passage.
 */
public final class StopWords {
    private static final Set<String> WORDS = Set.of(
            "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
            "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these",
            "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do",
            "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while",
            "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
            "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again",
            "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each",
            "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than",
            "too", "very", "s", "t", "can", "will", "just", "don", "should", "now");

    private StopWords() {
    }

    /** Whether {@code word}, stripped and lower-cased, is a stop word. */
    public static boolean contains(String word) {
        return WORDS.contains(word.strip().toLowerCase(Locale.ROOT));
    }
}
