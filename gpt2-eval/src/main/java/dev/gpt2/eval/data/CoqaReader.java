package dev.gpt2.eval.data;

import dev.gpt2.eval.EvalDataException;
import tools.jackson.core.JacksonException;
import tools.jackson.jr.ob.JSON;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads CoQA's development set ({@code coqa-dev-v1.0.json}): {@code {"data": [{"id", "story", "questions": [{"input_text",
 * "turn_id"}], "answers": [{"input_text", "turn_id"}], "additional_answers": {"0": [...], ...}}]}}.
 */
public final class CoqaReader {
    private static final String EXPECTED = "coqa-dev-v1.0.json ({\"data\": [{\"story\", \"questions\", \"answers\", "
            + "\"additional_answers\"}]})";

    private CoqaReader() {
    }

    /** One story with its dialogue. */
    public record Story(String id, String story, List<Turn> turns) {
    }

    /**
     * One question of a dialogue.
     *
     * @param question the question
     * @param answer   the main answer (used as the dialogue history of later turns)
     * @param references every reference answer: the main one and the additional ones
     */
    public record Turn(String question, String answer, List<String> references) {
    }

    public static List<Story> read(Path file) {
        String text = TextFile.text(file, EXPECTED);
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(text);
        } catch (JacksonException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String what = "not valid JSON (" + e.getOriginalMessage() + "); expected " + EXPECTED;
            throw line > 0 ? EvalDataException.malformed(file, line, what) : EvalDataException.malformed(file, what);
        }
        Fields top = new Fields(file, 0, "", root, EXPECTED);
        List<Story> stories = new ArrayList<>();
        List<Fields> data = top.objects("data");
        for (Fields s : data) {
            List<Fields> questions = s.objects("questions");
            List<List<Fields>> answerSets = new ArrayList<>();
            answerSets.add(s.objects("answers"));
            if (s.has("additional_answers")) {
                Fields extra = s.object("additional_answers");
                for (String key : extra.names()) {
                    answerSets.add(extra.objects(key));
                }
            }
            List<Turn> turns = new ArrayList<>();
            for (int i = 0; i < questions.size(); i++) {
                List<String> references = new ArrayList<>();
                for (List<Fields> set : answerSets) {
                    if (i >= set.size()) {
                        throw s.error("an answer list has " + set.size() + " answers for " + questions.size()
                                + " questions");
                    }
                    references.add(set.get(i).string("input_text"));
                }
                turns.add(new Turn(questions.get(i).string("input_text"), references.getFirst(),
                        List.copyOf(references)));
            }
            stories.add(new Story(s.has("id") ? s.string("id") : "#" + stories.size(), s.string("story"),
                    List.copyOf(turns)));
        }
        if (stories.isEmpty()) {
            throw EvalDataException.malformed(file, "has no stories in \"data\"; expected " + EXPECTED);
        }
        return stories;
    }
}
