package dev.gpt2.eval.metric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-N and ROUGE-L (Lin, 2004) of a candidate summary against one reference, computed as Google's
 * {@code rouge-score} package does without stemming (equivalent to {@code ROUGE-1.5.5.pl -e data -n 2}): text is
 * lower-cased, every run of characters other than {@code a-z0-9} is a separator, n-grams are counted with
 * multiplicity, ROUGE-L uses the longest common subsequence of the whole token sequences.
 */
public final class Rouge {
    private Rouge() {
    }

    /** Precision, recall and F1 (the harmonic mean; 0 when both are 0). */
    public record Score(double precision, double recall, double f1) {
        static Score of(double precision, double recall) {
            double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            return new Score(precision, recall, f);
        }
    }

    /** ROUGE-1, ROUGE-2 and ROUGE-L of one candidate. */
    public record Scores(Score rouge1, Score rouge2, Score rougeL) {
    }

    /** All three scores of {@code candidate} against {@code reference}. */
    public static Scores score(String reference, String candidate) {
        List<String> ref = tokens(reference);
        List<String> cand = tokens(candidate);
        return new Scores(ngram(ref, cand, 1), ngram(ref, cand, 2), lcs(ref, cand));
    }

    /** rouge-score's tokenizer without stemming: lower case, split on anything but {@code a-z0-9}. */
    public static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            char c = i < lower.length() ? lower.charAt(i) : ' ';
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                out.add(lower.substring(start, i));
                start = -1;
            }
        }
        return out;
    }

    static Score ngram(List<String> ref, List<String> cand, int n) {
        Map<List<String>, Integer> refCounts = counts(ref, n);
        Map<List<String>, Integer> candCounts = counts(cand, n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : refCounts.entrySet()) {
            overlap += Math.min(e.getValue(), candCounts.getOrDefault(e.getKey(), 0));
        }
        int refTotal = Math.max(0, ref.size() - n + 1);
        int candTotal = Math.max(0, cand.size() - n + 1);
        return Score.of((double) overlap / Math.max(candTotal, 1), (double) overlap / Math.max(refTotal, 1));
    }

    static Score lcs(List<String> ref, List<String> cand) {
        if (ref.isEmpty() || cand.isEmpty()) {
            return new Score(0, 0, 0);
        }
        int[] previous = new int[cand.size() + 1];
        int[] current = new int[cand.size() + 1];
        for (String r : ref) {
            for (int j = 1; j <= cand.size(); j++) {
                current[j] = r.equals(cand.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        int length = previous[cand.size()];
        return Score.of((double) length / cand.size(), (double) length / ref.size());
    }

    private static Map<List<String>, Integer> counts(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
