package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.eval.EvalDataException;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.TextFile;
import dev.gpt2.eval.metric.Bleu;
import dev.gpt2.eval.text.Sentences;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * WMT-14 translation (section 3.7): the context holds example pairs {@code "source sentence = target sentence"}, one
 * per line, then {@code "source sentence ="}; greedy decoding to the end of the line; the first generated sentence is
 * the translation; corpus BLEU with sacreBLEU's defaults (13a). The example pairs are the first {@code --shots} pairs
 * of the test files (5 by default), which are then not evaluated. The data files are newstest2014's English and
 * French sides as plain text, one sentence per line, English first.
 */
final class TranslationTask implements TaskRunner {
    static final int DEFAULT_SHOTS = 5;

    private final boolean englishToFrench;

    TranslationTask(boolean englishToFrench) {
        this.englishToFrench = englishToFrench;
    }

    /** One sentence pair. */
    record Pair(String source, String reference) {
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        List<Path> files = ctx.files(2);
        List<String> english = TextFile.lines(files.get(0), "newstest2014 English, one sentence per line");
        List<String> french = TextFile.lines(files.get(1), "newstest2014 French, one sentence per line");
        if (english.size() != french.size()) {
            throw EvalDataException.malformed(files.get(1), "has " + french.size() + " lines but "
                    + files.get(0) + " has " + english.size() + ": give the two sides of the same test set");
        }
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < english.size(); i++) {
            String en = english.get(i).strip();
            String fr = french.get(i).strip();
            if (en.isEmpty() || fr.isEmpty()) {
                throw EvalDataException.malformed(files.get(en.isEmpty() ? 0 : 1), i + 1,
                        "is blank: each line holds one sentence of the test set (BLEU has no empty reference)");
            }
            pairs.add(englishToFrench ? new Pair(en, fr) : new Pair(fr, en));
        }
        int shots = ctx.options().shots() == 0 ? DEFAULT_SHOTS : ctx.options().shots();
        if (shots >= pairs.size()) {
            throw new IllegalArgumentException("--shots " + shots + " leaves no sentence to evaluate: the files hold "
                    + pairs.size() + " pairs");
        }
        List<String> examples = new ArrayList<>();
        for (Pair p : pairs.subList(0, shots)) {
            examples.add(p.source() + " = " + p.reference() + "\n");
        }
        List<Pair> test = pairs.subList(shots, pairs.size());
        Monitor monitor = ctx.monitor();
        long total = monitor.start(test.size(), "sentences");
        ctx.note("the first " + shots + " pairs are the examples in the context and are not evaluated");
        List<String> hypotheses = new ArrayList<>();
        List<String> references = new ArrayList<>();
        monitor.forEachBatch(test.subList(0, (int) total), ctx.options().batchSize(), batch -> {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Pair p : batch) {
                int answerRoom = Math.min(ctx.contextLength() / 2, 2 * ctx.model().encode(p.source()).length + 16);
                int[] prompt = FewShot.prompt(ctx.model(), examples, p.source() + " =", ctx.contextLength(),
                        answerRoom);
                requests.add(Generating.request(prompt, Generating.greedy(answerRoom, List.of("\n")), monitor));
            }
            List<Generation> outputs = ctx.model().generateBatch(requests);
            if (!Generating.complete(outputs)) {
                return false;
            }
            for (int i = 0; i < batch.size(); i++) {
                List<String> sentences = Sentences.split(outputs.get(i).text());
                hypotheses.add(sentences.isEmpty() ? "" : sentences.getFirst());
                references.add(batch.get(i).reference());
            }
            return true;
        });
        if (hypotheses.isEmpty()) {
            return List.of();
        }
        Bleu.Result bleu = Bleu.corpus(hypotheses, List.of(references));
        ctx.note(String.format(java.util.Locale.ROOT, "BLEU brevity penalty %.3f, hypothesis %d / reference %d tokens",
                bleu.brevityPenalty(), bleu.hypothesisLength(), bleu.referenceLength()));
        return List.of(MetricValue.of("bleu", "corpus BLEU, sacreBLEU 13a", bleu.score(), Unit.BLEU));
    }
}
