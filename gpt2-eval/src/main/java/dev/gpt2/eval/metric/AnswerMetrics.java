package dev.gpt2.eval.metric;

import dev.gpt2.eval.text.PythonText;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Exact match and token F1 of a short answer, as the official SQuAD v2.0 and CoQA evaluation scripts compute them:
 * both strings are lower-cased, ASCII punctuation and the articles a/an/the are removed and whitespace is collapsed
 * (word boundaries and white space as Python 3's: Unicode, no-break spaces included);
 * F1 is the harmonic mean of precision and recall over the bag of remaining words. An empty answer scores 1 against
 * an empty reference and 0 against anything else.
 */
public final class AnswerMetrics {
    // Python 3's \b: Unicode word characters (ASCII ones only would find "a" in "ça")
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private AnswerMetrics() {
    }

    /** Lower case, no punctuation, no articles, single spaces (the scripts' {@code normalize_answer}). */
    public static String normalize(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return String.join(" ", words(noArticles));
    }

    /** 1 when the normalized strings are equal, else 0. */
    public static double exactMatch(String prediction, String reference) {
        return normalize(prediction).equals(normalize(reference)) ? 1 : 0;
    }

    /** Token F1 between the normalized strings. */
    public static double f1(String prediction, String reference) {
        List<String> pred = words(normalize(prediction));
        List<String> gold = words(normalize(reference));
        if (pred.isEmpty() || gold.isEmpty()) {
            return pred.equals(gold) ? 1 : 0;
        }
        Map<String, Integer> goldCounts = new HashMap<>();
        for (String w : gold) {
            goldCounts.merge(w, 1, Integer::sum);
        }
        int same = 0;
        for (String w : pred) {
            Integer left = goldCounts.get(w);
            if (left != null && left > 0) {
                same++;
                goldCounts.put(w, left - 1);
            }
        }
        if (same == 0) {
            return 0;
        }
        double precision = (double) same / pred.size();
        double recall = (double) same / gold.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** The best exact match against any of the references (SQuAD's and Natural Questions' rule). */
    public static double maxExactMatch(String prediction, List<String> references) {
        return references.stream().mapToDouble(r -> exactMatch(prediction, r)).max().orElse(0);
    }

    /**
     * CoQA's score of one turn: with several reference answers, the average over each reference left out of the
     * best score against the others (so that a model is compared on the same footing as a human); with one, the score
     * against it.
     */
    public static Turn coqaTurn(String prediction, List<String> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a CoQA turn needs at least one reference answer");
        }
        if (references.size() == 1) {
            return new Turn(exactMatch(prediction, references.getFirst()), f1(prediction, references.getFirst()));
        }
        double em = 0;
        double f1 = 0;
        for (int leftOut = 0; leftOut < references.size(); leftOut++) {
            double bestEm = 0;
            double bestF1 = 0;
            for (int i = 0; i < references.size(); i++) {
                if (i != leftOut) {
                    bestEm = Math.max(bestEm, exactMatch(prediction, references.get(i)));
                    bestF1 = Math.max(bestF1, f1(prediction, references.get(i)));
                }
            }
            em += bestEm;
            f1 += bestF1;
        }
        return new Turn(em / references.size(), f1 / references.size());
    }

    /** Exact match and F1 of one answer, each in [0, 1]. */
    public record Turn(double exactMatch, double f1) {
    }

    private static List<String> words(CharSequence s) {
        return PythonText.split(s.toString());
    }
}
