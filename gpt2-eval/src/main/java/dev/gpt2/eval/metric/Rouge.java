package dev.gpt2.eval.metric;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * ROUGE-N and ROUGE-L (Lin, 2004) of a candidate summary against one reference, computed as Google's
 * {@code rouge-score} package does without stemming: text is lower-cased, every run of characters other than
 * {@code a-z0-9} is a separator, n-grams are counted with multiplicity. ROUGE-L comes two ways: over the whole token
 * sequences ({@code rougeL} in rouge-score), and at the summary level over the sentences, one per line
 * ({@code rougeLsum}; the ROUGE-L of {@code ROUGE-1.5.5.pl} on sentence-split summaries, which summarization papers
 * report for CNN/Daily Mail): for each reference sentence the union of its longest common subsequences with the
 * candidate's sentences, each token counted at most as often as it occurs in both texts.
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

    /**
     * ROUGE-1, ROUGE-2 and ROUGE-L of one candidate.
     *
     * @param rougeL    over the whole texts
     * @param rougeLsum at the summary level, sentence by sentence (one per line)
     */
    public record Scores(Score rouge1, Score rouge2, Score rougeL, Score rougeLsum) {
    }

    /** All the scores of {@code candidate} against {@code reference}; sentences are their lines. */
    public static Scores score(String reference, String candidate) {
        List<String> ref = tokens(reference);
        List<String> cand = tokens(candidate);
        return new Scores(ngram(ref, cand, 1), ngram(ref, cand, 2), lcs(ref, cand),
                summaryLcs(sentences(reference), sentences(candidate)));
    }

    /** The tokens of each non-empty line (rouge-score's sentences for rougeLsum). */
    private static List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(tokens(line));
            }
        }
        return out;
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
        int length = lcsTable(ref, cand)[ref.size()][cand.size()];
        return Score.of((double) length / cand.size(), (double) length / ref.size());
    }

    /** {@code t[i][j]}: the length of the longest common subsequence of {@code a[0, i)} and {@code b[0, j)}. */
    private static int[][] lcsTable(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                t[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t;
    }

    /** Summary-level ROUGE-L of sentence-split token lists, as rouge-score's {@code rougeLsum}. */
    static Score summaryLcs(List<List<String>> ref, List<List<String>> cand) {
        int refTokens = ref.stream().mapToInt(List::size).sum();
        int candTokens = cand.stream().mapToInt(List::size).sum();
        if (refTokens == 0 || candTokens == 0) {
            return new Score(0, 0, 0);
        }
        Map<String, Integer> refLeft = new HashMap<>();
        Map<String, Integer> candLeft = new HashMap<>();
        ref.forEach(s -> s.forEach(t -> refLeft.merge(t, 1, Integer::sum)));
        cand.forEach(s -> s.forEach(t -> candLeft.merge(t, 1, Integer::sum)));
        int hits = 0;
        for (List<String> r : ref) {
            // the union of the reference positions on an LCS with each candidate sentence, in order
            TreeSet<Integer> union = new TreeSet<>();
            for (List<String> c : cand) {
                union.addAll(lcsPositions(r, c));
            }
            for (int i : union) {
                String t = r.get(i);
                if (candLeft.getOrDefault(t, 0) > 0 && refLeft.getOrDefault(t, 0) > 0) {
                    hits++;
                    candLeft.merge(t, -1, Integer::sum);
                    refLeft.merge(t, -1, Integer::sum);
                }
            }
        }
        return Score.of((double) hits / candTokens, (double) hits / refTokens);
    }

    /**
     * The positions in {@code ref} of one longest common subsequence with {@code cand}, the one rouge-score's
     * backtracking finds (from the ends; on a tie it steps back in {@code ref}).
     */
    private static List<Integer> lcsPositions(List<String> ref, List<String> cand) {
        int[][] t = lcsTable(ref, cand);
        ArrayDeque<Integer> positions = new ArrayDeque<>();
        int i = ref.size();
        int j = cand.size();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(cand.get(j - 1))) {
                positions.addFirst(i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        return List.copyOf(positions);
    }

    private static Map<List<String>, Integer> counts(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
