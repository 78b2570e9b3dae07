package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;

import java.util.List;

/**
 * A prompt of example pairs followed by the query, shortened to fit: examples are dropped from the front until the
 * prompt and the answer's room fit the context, and a query that alone does not fit is cut at the front.
 */
final class FewShot {
    private FewShot() {
    }

    /** The ids of {@code examples} (each already formatted, in order) followed by {@code query}. */
    static int[] prompt(LanguageModel model, List<String> examples, String query, int window, int answerRoom) {
        int[] queryIds = model.encode(query);
        int room = window - answerRoom;
        int[] context = new int[0];
        for (int i = examples.size() - 1; i >= 0; i--) {
            int[] example = model.encode(examples.get(i));
            if (context.length + example.length + queryIds.length > room) {
                break;
            }
            context = Scoring.concat(example, context);
        }
        return Scoring.tail(Scoring.concat(context, queryIds), room);
    }
}
