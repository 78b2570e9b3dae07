package dev.gpt2.eval.metric;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Corpus BLEU (Papineni et al., 2002) as sacreBLEU computes it by default: {@link Tokenizer13a 13a} tokenization,
 * n-grams up to 4 clipped by the largest count in any reference, the reference length closest to each hypothesis
 * (the shorter on a tie), the brevity penalty over the corpus, and the {@code exp} smoothing of mteval-v13a for orders
 * without a match. As in sacreBLEU 2, an empty reference string is left out (a segment then has fewer references),
 * and a segment whose references are all empty is an error.
 */
public final class Bleu {
    /** The highest n-gram order. */
    public static final int MAX_ORDER = 4;
    // sacreBLEU's log of a zero precision
    private static final double LOG_ZERO = -9999999999.0;

    private Bleu() {
    }

    /**
     * A corpus score with the statistics it came from.
     *
     * @param score      BLEU in [0, 100]
     * @param correct    matched n-grams per order 1..4
     * @param total      hypothesis n-grams per order 1..4
     * @param precisions the (smoothed) precision per order, in percent
     * @param brevityPenalty the brevity penalty
     * @param hypothesisLength tokens in all hypotheses
     * @param referenceLength  the summed closest reference lengths
     */
    public record Result(double score, long[] correct, long[] total, double[] precisions, double brevityPenalty,
                         long hypothesisLength, long referenceLength) {
    }

    /**
     * Corpus BLEU of {@code hypotheses} against {@code references}: {@code references.get(r).get(i)} is the r-th
     * reference of hypothesis i (sacreBLEU's layout: one list per reference set).
     */
    public static Result corpus(List<String> hypotheses, List<List<String>> references) {
        return corpus(hypotheses, references, Tokenizer13a::tokenize);
    }

    static Result corpus(List<String> hypotheses, List<List<String>> references,
                         Function<String, List<String>> tokenizer) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("BLEU needs at least one reference set");
        }
        for (List<String> set : references) {
            if (set.size() != hypotheses.size()) {
                throw new IllegalArgumentException("a reference set has " + set.size() + " segments for "
                        + hypotheses.size() + " hypotheses: give one reference per hypothesis in each set");
            }
        }
        long[] correct = new long[MAX_ORDER];
        long[] total = new long[MAX_ORDER];
        long hypLength = 0;
        long refLength = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> hyp = tokenizer.apply(hypotheses.get(i));
            Map<List<String>, Integer> maxRefCounts = new HashMap<>();
            int closest = -1;
            for (List<String> set : references) {
                if (set.get(i).isEmpty()) {
                    continue;
                }
                List<String> ref = tokenizer.apply(set.get(i));
                for (Map.Entry<List<String>, Integer> e : ngrams(ref).entrySet()) {
                    maxRefCounts.merge(e.getKey(), e.getValue(), Math::max);
                }
                int diff = Math.abs(hyp.size() - ref.size());
                int best = closest < 0 ? Integer.MAX_VALUE : Math.abs(hyp.size() - closest);
                if (closest < 0 || diff < best || (diff == best && ref.size() < closest)) {
                    closest = ref.size();
                }
            }
            if (closest < 0) {
                throw new IllegalArgumentException("segment " + i + " has no reference: every reference set holds an"
                        + " empty string there (sacreBLEU refuses it too)");
            }
            for (Map.Entry<List<String>, Integer> e : ngrams(hyp).entrySet()) {
                int order = e.getKey().size() - 1;
                total[order] += e.getValue();
                correct[order] += Math.min(e.getValue(), maxRefCounts.getOrDefault(e.getKey(), 0));
            }
            hypLength += hyp.size();
            refLength += closest;
        }
        return fromStatistics(correct, total, hypLength, refLength);
    }

    /** BLEU from its sufficient statistics, with sacreBLEU's {@code exp} smoothing. */
    public static Result fromStatistics(long[] correct, long[] total, long hypothesisLength, long referenceLength) {
        double bp = hypothesisLength >= referenceLength ? 1
                : hypothesisLength > 0 ? Math.exp(1 - (double) referenceLength / hypothesisLength) : 0;
        double[] precisions = new double[MAX_ORDER];
        boolean anyMatch = false;
        for (long c : correct) {
            anyMatch |= c > 0;
        }
        if (!anyMatch) {
            return new Result(0, correct.clone(), total.clone(), precisions, bp, hypothesisLength, referenceLength);
        }
        double smooth = 1;
        for (int n = 0; n < MAX_ORDER; n++) {
            if (total[n] == 0) {
                break;
            }
            if (correct[n] == 0) {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        double logSum = 0;
        for (double p : precisions) {
            logSum += p == 0 ? LOG_ZERO : Math.log(p);
        }
        double score = bp * Math.exp(logSum / MAX_ORDER);
        return new Result(score, correct.clone(), total.clone(), precisions, bp, hypothesisLength, referenceLength);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }
}
