package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;

import java.util.List;

/**
 * A prompt of example pairs followed by the query, shortened to fit: examples are dropped from the front until the
 * prompt and the answer's room fit the context, and a query that alone does not fit is cut at the front.
 *
 * <p>The prompt is encoded as one text, as the model would read it in a document: GPT-2's pre-split makes a blank
 * line before a letter two {@code "\n"} tokens, while the same blank line at the end of an example encoded alone is
 * one {@code "\n\n"} token.
 */
final class FewShot {
    private FewShot() {
    }

    /** The ids of {@code examples} (each already formatted, in order) followed by {@code query}. */
    static int[] prompt(LanguageModel model, List<String> examples, String query, int window, int answerRoom) {
        int room = window - answerRoom;
        // the pieces' own lengths say where to start; the joined text decides (joins can add a token)
        int first = examples.size();
        int length = model.encode(query).length;
        while (first > 0) {
            int example = model.encode(examples.get(first - 1)).length;
            if (length + example > room) {
                break;
            }
            length += example;
            first--;
        }
        int[] ids = model.encode(String.join("", examples.subList(first, examples.size())) + query);
        while (ids.length > room && first < examples.size()) {
            first++;
            ids = model.encode(String.join("", examples.subList(first, examples.size())) + query);
        }
        return Scoring.tail(ids, room);
    }
}
