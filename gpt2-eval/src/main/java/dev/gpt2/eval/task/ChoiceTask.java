package dev.gpt2.eval.task;

import java.util.List;

/** Picks the candidate with the highest score; the first one on a tie. */
final class ChoiceTask {
    private ChoiceTask() {
    }

    static int argmax(List<Double> scores) {
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (scores.get(i) > scores.get(best)) {
                best = i;
            }
        }
        return best;
    }
}
