package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.Fields;
import dev.gpt2.eval.data.JsonLines;
import dev.gpt2.eval.metric.Perplexity;
import dev.gpt2.eval.text.StopWords;
import dev.gpt2.eval.text.Words;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * LAMBADA from OpenAI's {@code lambada_test.jsonl} ({@code {"text": ...}}): the final word is what follows the last
 * space; the model reads everything before it.
 *
 * <ul>
 * <li>{@code acc}: the final word's tokens are all the greedy choices (lm-evaluation-harness's accuracy; the paper's
 *     52.66% for GPT-2 1542M "without" the filter);</li>
 * <li>{@code acc_stopword_filter}: the paper's stop-word filter: the first predicted token is the most probable one
 *     that starts a word (punctuation is no final word either) and is not a stop word, the rest of the word is greedy,
 *     and the first word of that continuation must equal the final word (the paper's Table 3 accuracy);</li>
 * <li>{@code acc_last_token}: OpenAI's simplification: the last BPE token of the whole passage is the greedy choice
 *     given all tokens before it;</li>
 * <li>{@code ppl_token}: exp(total NLL of the final words' tokens / their number);</li>
 * <li>{@code ppl_doc}: lm-evaluation-harness's perplexity: exp(mean over passages of the final word's NLL).</li>
 * </ul>
 */
final class LambadaTask implements TaskRunner {
    /** Tokens generated after the final word's own, to see where the predicted word ends. */
    private static final int WORD_SLACK = 3;
    /** How many of the most probable first tokens the stop-word filter looks through. */
    private static final int FILTER_CANDIDATES = 128;

    /** One passage split into context and final word. */
    record Passage(int[] context, int[] target, int[] full, String word) {
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        LanguageModel model = ctx.model();
        List<String> texts = JsonLines.read(ctx.file(), ctx.task().data(), LambadaTask::passage);
        Monitor monitor = ctx.monitor();
        long total = monitor.start(texts.size(), "passages");
        int window = ctx.contextLength();
        List<Passage> passages = new ArrayList<>();
        int truncated = 0;
        for (String t : texts.subList(0, (int) total)) {
            int space = t.lastIndexOf(' ');   // > 0, t stripped: see passage
            String context = t.substring(0, space);
            String target = t.substring(space);
            int[] contextIds = model.encode(context);
            int[] targetIds = model.encode(target);
            int keep = window - targetIds.length - WORD_SLACK;
            if (contextIds.length > keep) {
                contextIds = Scoring.tail(contextIds, keep);
                truncated++;
            }
            int[] full = model.encode(t);
            passages.add(new Passage(contextIds, targetIds, Scoring.tail(full, window), target.strip()));
        }
        if (truncated > 0) {
            ctx.note(truncated + " passages longer than the context were cut at the front");
        }
        Counts c = new Counts();
        monitor.forEachBatch(passages, ctx.options().batchSize(), batch -> evaluate(ctx, batch, c));
        return c.metrics(ctx);
    }

    private static final class Counts {
        long passages;
        long greedyCorrect;
        long filteredCorrect;
        long lastTokenCorrect;
        long targetTokens;
        double targetNll;
        double docNllSum;

        List<MetricValue> metrics(TaskContext ctx) {
            if (passages == 0) {
                return List.of();
            }
            ctx.note(String.format(Locale.ROOT, "%d passages, %d final-word tokens", passages, targetTokens));
            return List.of(
                    MetricValue.of("acc_stopword_filter", "final word, first token not a stop word (paper's filter)",
                            100.0 * filteredCorrect / passages, Unit.PERCENT),
                    MetricValue.of("acc", "final word, every token greedy (lm-eval)",
                            100.0 * greedyCorrect / passages, Unit.PERCENT),
                    MetricValue.of("acc_last_token", "last BPE token greedy (OpenAI's variant)",
                            100.0 * lastTokenCorrect / passages, Unit.PERCENT),
                    MetricValue.of("ppl_token", "final word's tokens, perplexity per token",
                            Perplexity.perplexity(targetNll, targetTokens), Unit.PERPLEXITY),
                    MetricValue.of("ppl_doc", "final word, exp(mean NLL per passage) (lm-eval)",
                            Math.exp(docNllSum / passages), Unit.PERPLEXITY));
        }
    }

    /** A line's text, which must hold a context and the word to predict after it. */
    private static String passage(Fields f) {
        String text = f.string("text").strip();
        if (text.lastIndexOf(' ') <= 0) {
            throw f.error("\"text\" must hold a passage and its last word, separated by a space; got "
                    + (text.isEmpty() ? "an empty text" : "'" + (text.length() > 40 ? text.substring(0, 40) + "..."
                    : text) + "'"));
        }
        return text;
    }

    private static boolean evaluate(TaskContext ctx, List<Passage> batch, Counts c) {
        LanguageModel model = ctx.model();
        Monitor monitor = ctx.monitor();
        List<int[]> sequences = new ArrayList<>();
        List<GenerationRequest> greedy = new ArrayList<>();
        for (Passage p : batch) {
            sequences.add(Scoring.concat(p.context(), p.target()));
            greedy.add(Generating.request(p.context(),
                    Generating.greedy(p.target().length + WORD_SLACK, List.of()), monitor));
        }
        List<double[]> logProbs = Scoring.logProbs(model, sequences);
        List<Generation> generations = model.generateBatch(greedy);
        if (!Generating.complete(generations)) {
            return false;
        }
        List<GenerationRequest> lastToken = new ArrayList<>();
        for (Passage p : batch) {
            lastToken.add(Generating.request(Arrays.copyOf(p.full(), p.full().length - 1),
                    Generating.greedy(1, List.of()), monitor));
        }
        List<Generation> lastTokens = model.generateBatch(lastToken);
        if (!Generating.complete(lastTokens)) {
            return false;
        }
        List<String> predictedWords = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            predictedWords.add(filteredWord(model, batch.get(i), generations.get(i), monitor));
            if (monitor.stopped()) {
                return false;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Passage p = batch.get(i);
            int n = p.target().length;
            double nll = -Scoring.sum(logProbs.get(i), p.context().length, p.context().length + n);
            c.passages++;
            c.targetTokens += n;
            c.targetNll += nll;
            c.docNllSum += nll;
            int[] generated = generations.get(i).ids();
            if (generated.length >= n && Arrays.equals(Arrays.copyOf(generated, n), p.target())) {
                c.greedyCorrect++;
            }
            int[] last = lastTokens.get(i).ids();
            if (last.length == 1 && last[0] == p.full()[p.full().length - 1]) {
                c.lastTokenCorrect++;
            }
            if (predictedWords.get(i).equals(p.word())) {
                c.filteredCorrect++;
            }
        }
        return true;
    }

    /** Whether a first token may begin the final word: it starts a word, and that is not a stop word. */
    private static boolean startsFinalWord(String token) {
        return !Words.first(token).isEmpty() && !StopWords.contains(token);
    }

    /** The word predicted with the paper's stop-word filter on its first token. */
    private static String filteredWord(LanguageModel model, Passage p, Generation greedy, Monitor monitor) {
        int[] generated = greedy.ids();
        if (generated.length > 0 && startsFinalWord(model.decode(new int[] {generated[0]}))) {
            return Words.first(greedy.text());
        }
        float[] logits = model.nextTokenLogits(p.context());
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
        for (int k = 0; k < Math.min(FILTER_CANDIDATES, order.length); k++) {
            int first = order[k];
            if (!startsFinalWord(model.decode(new int[] {first}))) {
                continue;
            }
            int[] prompt = Scoring.concat(p.context(), new int[] {first});
            Generation rest = model.generate(Generating.request(prompt,
                    Generating.greedy(p.target().length + WORD_SLACK - 1, List.of()), monitor));
            return Words.first(model.decode(new int[] {first}) + rest.text());
        }
        return "";
    }
}
