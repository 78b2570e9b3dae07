package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Sampling;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.JsonLines;
import dev.gpt2.eval.metric.Rouge;
import dev.gpt2.eval.text.Sentences;

import java.util.ArrayList;
import java.util.List;

/**
 * CNN / Daily Mail summarization (section 3.6, Table 4): the article, then {@code TL;DR:} (or nothing, for the
 * ablation), then 100 tokens of top-k sampling with k = 2; the first 3 generated sentences are the summary, scored
 * with ROUGE-1, -2 and -L F1 against the highlights and averaged over articles. ROUGE-L is the summary-level one of
 * ROUGE-1.5.5 (rouge-score's {@code rougeLsum}; the highlights' sentences are their lines, the summary's one per
 * line), which the results Table 4 compares with report; {@code rougeL_whole} is the LCS of the whole texts
 * (rouge-score's {@code rougeL}). An article too long for the context is cut at its end so that the hint and the 100
 * tokens fit.
 */
final class SummarizationTask implements TaskRunner {
    static final String HINT = "\nTL;DR:";
    static final int SUMMARY_TOKENS = 100;
    static final int TOP_K = 2;
    static final int SENTENCES = 3;

    private final boolean hint;

    SummarizationTask(boolean hint) {
        this.hint = hint;
    }

    /** One article made into a prompt. */
    record Article(int[] prompt, String reference, long seed) {
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        record Pair(String article, String highlights) {
        }
        List<Pair> pairs = JsonLines.read(ctx.file(), ctx.task().data(),
                f -> new Pair(f.string("article"), f.string("highlights")));
        Monitor monitor = ctx.monitor();
        long total = monitor.start(pairs.size(), "articles");
        int[] hintIds = hint ? ctx.model().encode(HINT) : new int[0];
        int room = ctx.contextLength() - SUMMARY_TOKENS - hintIds.length;
        List<Article> articles = new ArrayList<>();
        int truncated = 0;
        for (int i = 0; i < total; i++) {
            int[] article = ctx.model().encode(pairs.get(i).article().strip());
            if (article.length > room) {
                article = java.util.Arrays.copyOf(article, room);
                truncated++;
            }
            articles.add(new Article(Scoring.concat(article, hintIds), pairs.get(i).highlights(),
                    ctx.options().seed() + i));
        }
        if (truncated > 0) {
            ctx.note(truncated + " articles were cut at their end to leave room for the summary");
        }
        GenerationOptions sampling = Generating.greedy(SUMMARY_TOKENS, List.of())
                .withSampling(Sampling.random(1.0, TOP_K, 1.0));
        double[] sums = new double[4];
        long[] done = {0};
        monitor.forEachBatch(articles, ctx.options().batchSize(), batch -> {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Article a : batch) {
                requests.add(Generating.request(a.prompt(), sampling.withSeed(a.seed()), monitor));
            }
            List<Generation> outputs = ctx.model().generateBatch(requests);
            if (!Generating.complete(outputs)) {
                return false;
            }
            for (int i = 0; i < batch.size(); i++) {
                String summary = Sentences.first(outputs.get(i).text(), SENTENCES);
                Rouge.Scores s = Rouge.score(batch.get(i).reference(), summary);
                sums[0] += s.rouge1().f1();
                sums[1] += s.rouge2().f1();
                sums[2] += s.rougeLsum().f1();
                sums[3] += s.rougeL().f1();
                done[0]++;
            }
            return true;
        });
        if (done[0] == 0) {
            return List.of();
        }
        double r1 = 100 * sums[0] / done[0];
        double r2 = 100 * sums[1] / done[0];
        double rl = 100 * sums[2] / done[0];
        double whole = 100 * sums[3] / done[0];
        ctx.note("ROUGE without stemming (rouge-score's default); the paper does not say which it used");
        return List.of(
                MetricValue.of("rouge1", "ROUGE-1 F1", r1, Unit.PERCENT),
                MetricValue.of("rouge2", "ROUGE-2 F1", r2, Unit.PERCENT),
                MetricValue.of("rougeL", "ROUGE-L F1, summary level (ROUGE-1.5.5)", rl, Unit.PERCENT),
                MetricValue.of("rougeL_whole", "ROUGE-L F1 over the whole texts", whole, Unit.PERCENT),
                MetricValue.of("rouge_avg", "mean of ROUGE-1, -2, -L (Table 4's R-AVG)", (r1 + r2 + rl) / 3,
                        Unit.PERCENT));
    }
}
