package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Batched scoring helpers over the public API. */
final class Scoring {
    private static final ScoreOptions PER_TOKEN = ScoreOptions.defaults().withTokenLogProbs(true);

    private Scoring() {
    }

    /** The log-probability of every position of each sequence (NaN at 0), from one {@code scoreBatch} call. */
    static List<double[]> logProbs(LanguageModel model, List<int[]> sequences) {
        List<Score> scores = model.scoreBatch(sequences, PER_TOKEN);
        List<double[]> out = new ArrayList<>(scores.size());
        for (Score s : scores) {
            out.add(s.tokenLogProbs());
        }
        return out;
    }

    /** The sum of {@code logProbs[from..to)}. */
    static double sum(double[] logProbs, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += logProbs[i];
        }
        return s;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The last {@code keep} ids of {@code ids} (all when shorter). */
    static int[] tail(int[] ids, int keep) {
        return ids.length <= keep ? ids : Arrays.copyOfRange(ids, ids.length - keep, ids.length);
    }
}
