package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.CbtReader;
import dev.gpt2.eval.text.Detokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The Children's Book Test (common nouns or named entities): each candidate is put in the blank of the query, and the
 * candidate whose completed passage is most probable wins (the paper's section 3.2, after Hill et al. 2015). The 20
 * context sentences and the query are detokenized (PTB style); since the context is the same for every candidate, the
 * passages are compared by the log-probability of their query sentence given the context.
 */
final class CbtTask implements TaskRunner {

    /** One question made into token ids: the shared context and one query per candidate. */
    record Prepared(int[] context, List<int[]> queries, int answer, boolean truncated) {
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        List<CbtReader.Question> questions = CbtReader.read(ctx.file());
        Monitor monitor = ctx.monitor();
        long total = monitor.start(questions.size(), "questions");
        List<Prepared> prepared = new ArrayList<>();
        int truncated = 0;
        for (CbtReader.Question q : questions.subList(0, (int) total)) {
            Prepared p = prepare(ctx.model(), q, ctx.contextLength());
            truncated += p.truncated() ? 1 : 0;
            prepared.add(p);
        }
        if (truncated > 0) {
            ctx.note(truncated + " questions had their context cut at the front to fit the model's context");
        }
        long[] correct = {0};
        long[] done = {0};
        int perCall = Math.max(1, ctx.options().batchSize() / 10);
        monitor.forEachBatch(prepared, perCall, batch -> {
            List<int[]> sequences = new ArrayList<>();
            for (Prepared p : batch) {
                for (int[] query : p.queries()) {
                    sequences.add(Scoring.concat(p.context(), query));
                }
            }
            List<double[]> logProbs = Scoring.logProbs(ctx.model(), sequences);
            int k = 0;
            for (Prepared p : batch) {
                List<Double> scores = new ArrayList<>();
                for (int[] query : p.queries()) {
                    double[] lp = logProbs.get(k++);
                    scores.add(Scoring.sum(lp, p.context().length, p.context().length + query.length));
                }
                correct[0] += ChoiceTask.argmax(scores) == p.answer() ? 1 : 0;
                done[0]++;
            }
            return true;
        });
        if (done[0] == 0) {
            return List.of();
        }
        return List.of(MetricValue.of("acc", "most probable completed passage is the answer",
                100.0 * correct[0] / done[0], Unit.PERCENT));
    }

    static Prepared prepare(LanguageModel model, CbtReader.Question q, int window) {
        List<int[]> queries = new ArrayList<>();
        int longest = 0;
        for (String candidate : q.candidates()) {
            String filled = q.query().replace(CbtReader.BLANK, candidate);
            int[] ids = model.encode(" " + Detokenizer.PTB_STYLE.line(filled));
            queries.add(ids);
            longest = Math.max(longest, ids.length);
        }
        int[] all = model.encode(contextText(q));
        int[] context = Scoring.tail(all, window - longest);
        return new Prepared(context, queries, q.candidates().indexOf(q.answer()), context.length < all.length);
    }

    static String contextText(CbtReader.Question q) {
        List<String> sentences = new ArrayList<>();
        for (String s : q.context()) {
            sentences.add(Detokenizer.PTB_STYLE.line(s));
        }
        return String.join(" ", sentences);
    }
}
