package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.eval.EvalDataException;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.CoqaReader;
import dev.gpt2.eval.metric.AnswerMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * CoQA (section 3.5): for each question, greedy decoding conditioned on the story, the dialogue so far and a final
 * {@code A:}, up to the end of the line; F1 and exact match with CoQA's official rules (leave-one-out over the four
 * reference answers), averaged over all questions.
 */
final class CoqaTask implements TaskRunner {
    static final int MAX_ANSWER_TOKENS = 32;

    /** One question with its prompt. */
    record Question(int[] prompt, List<String> references) {
    }

    /** The prompt of turn {@code turn} of {@code story}. */
    static String prompt(CoqaReader.Story story, int turn) {
        StringBuilder sb = new StringBuilder(story.story().strip()).append("\n\n");
        for (int i = 0; i < turn; i++) {
            CoqaReader.Turn t = story.turns().get(i);
            sb.append("Q: ").append(t.question().strip()).append("\nA: ").append(t.answer().strip()).append("\n\n");
        }
        return sb.append("Q: ").append(story.turns().get(turn).question().strip()).append("\nA:").toString();
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        List<CoqaReader.Story> stories = CoqaReader.read(ctx.file());
        List<Question> questions = new ArrayList<>();
        int keep = ctx.contextLength() - MAX_ANSWER_TOKENS;
        int truncated = 0;
        Monitor monitor = ctx.monitor();
        long available = stories.stream().mapToLong(s -> s.turns().size()).sum();
        if (available == 0) {
            throw EvalDataException.malformed(ctx.file(), "its " + stories.size() + " stories hold no questions;"
                    + " expected " + ctx.task().data());
        }
        long total = monitor.start(available, "questions");
        outer:
        for (CoqaReader.Story s : stories) {
            for (int t = 0; t < s.turns().size(); t++) {
                if (questions.size() == total) {
                    break outer;
                }
                int[] ids = ctx.model().encode(prompt(s, t));
                truncated += ids.length > keep ? 1 : 0;
                questions.add(new Question(Scoring.tail(ids, keep), s.turns().get(t).references()));
            }
        }
        if (truncated > 0) {
            ctx.note(truncated + " prompts longer than the context were cut at the front (story start lost)");
        }
        GenerationOptions options = Generating.greedy(MAX_ANSWER_TOKENS, List.of("\n"));
        double[] sums = new double[2];
        long[] done = {0};
        monitor.forEachBatch(questions, ctx.options().batchSize(), batch -> {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Question q : batch) {
                requests.add(Generating.request(q.prompt(), options, monitor));
            }
            List<Generation> answers = ctx.model().generateBatch(requests);
            if (!Generating.complete(answers)) {
                return false;
            }
            for (int i = 0; i < batch.size(); i++) {
                AnswerMetrics.Turn score = AnswerMetrics.coqaTurn(answers.get(i).text().strip(),
                        batch.get(i).references());
                sums[0] += score.f1();
                sums[1] += score.exactMatch();
                done[0]++;
            }
            return true;
        });
        if (done[0] == 0) {
            return List.of();
        }
        return List.of(
                MetricValue.of("f1", "F1, CoQA's official rules", 100 * sums[0] / done[0], Unit.PERCENT),
                MetricValue.of("em", "exact match, CoQA's official rules", 100 * sums[1] / done[0], Unit.PERCENT));
    }
}
