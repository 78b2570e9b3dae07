package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.JsonLines;
import dev.gpt2.eval.metric.AnswerMetrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Natural Questions, open domain (section 3.8), from {@code nq_open}'s JSONL ({@code {"question": ..., "answer":
 * [...]}}): the context holds example pairs {@code "Q: question\nA: answer\n\n"} (the first {@code --shots} questions
 * of the file, 8 by default, which are then not evaluated), then {@code "Q: question\nA:"}; greedy decoding to the end
 * of the line; exact match (SQuAD normalisation) against any reference. The answer's confidence is the probability of
 * all its generated tokens; {@code acc_top1pct} is the exact match of the most confident 1% of answers.
 */
final class QuestionAnsweringTask implements TaskRunner {
    static final int DEFAULT_SHOTS = 8;
    static final int MAX_ANSWER_TOKENS = 24;

    /** One question. */
    record Question(String question, List<String> answers) {
    }

    /** One answered question. */
    record Answer(double logProb, boolean correct) {
    }

    static String example(Question q) {
        return "Q: " + q.question().strip() + "\nA: " + q.answers().getFirst().strip() + "\n\n";
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        List<Question> all = JsonLines.read(ctx.file(), ctx.task().data(),
                f -> new Question(f.string("question"), f.strings("answer")));
        int shots = ctx.options().shots() == 0 ? DEFAULT_SHOTS : ctx.options().shots();
        if (shots >= all.size()) {
            throw new IllegalArgumentException("--shots " + shots + " leaves no question to evaluate: the file holds "
                    + all.size());
        }
        List<String> examples = all.subList(0, shots).stream().map(QuestionAnsweringTask::example).toList();
        List<Question> test = all.subList(shots, all.size());
        Monitor monitor = ctx.monitor();
        long total = monitor.start(test.size(), "questions");
        ctx.note("the first " + shots + " questions are the examples in the context and are not evaluated");
        List<Answer> answers = new ArrayList<>();
        monitor.forEachBatch(test.subList(0, (int) total), ctx.options().batchSize(), batch -> {
            List<int[]> prompts = new ArrayList<>();
            List<GenerationRequest> requests = new ArrayList<>();
            for (Question q : batch) {
                int[] prompt = FewShot.prompt(ctx.model(), examples, "Q: " + q.question().strip() + "\nA:",
                        ctx.contextLength(), MAX_ANSWER_TOKENS);
                prompts.add(prompt);
                requests.add(Generating.request(prompt, Generating.greedy(MAX_ANSWER_TOKENS, List.of("\n")),
                        monitor));
            }
            List<Generation> outputs = ctx.model().generateBatch(requests);
            if (!Generating.complete(outputs)) {
                return false;
            }
            List<int[]> sequences = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                sequences.add(Scoring.concat(prompts.get(i), outputs.get(i).ids()));
            }
            List<double[]> logProbs = Scoring.logProbs(ctx.model(), sequences);
            for (int i = 0; i < batch.size(); i++) {
                double lp = Scoring.sum(logProbs.get(i), prompts.get(i).length, sequences.get(i).length);
                boolean correct = AnswerMetrics.maxExactMatch(outputs.get(i).text().strip(),
                        batch.get(i).answers()) == 1;
                answers.add(new Answer(lp, correct));
            }
            return true;
        });
        if (answers.isEmpty()) {
            return List.of();
        }
        return List.of(
                MetricValue.of("em", "exact match", 100.0 * accuracy(answers), Unit.PERCENT),
                MetricValue.of("acc_top1pct", "exact match of the most confident 1%",
                        100.0 * accuracy(mostConfident(answers, 0.01)), Unit.PERCENT));
    }

    /** The {@code fraction} of answers with the highest probability (at least one). */
    static List<Answer> mostConfident(List<Answer> answers, double fraction) {
        int k = Math.max(1, (int) Math.ceil(answers.size() * fraction));
        return answers.stream().sorted(Comparator.comparingDouble(Answer::logProb).reversed()).limit(k).toList();
    }

    static double accuracy(List<Answer> answers) {
        return answers.stream().filter(Answer::correct).count() / (double) answers.size();
    }
}
