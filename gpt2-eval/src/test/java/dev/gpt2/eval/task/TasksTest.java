package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.EvalOptions;
import dev.gpt2.eval.EvalResult;
import dev.gpt2.eval.Evaluation;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.ProgressListener;
import dev.gpt2.eval.Task;
import dev.gpt2.eval.data.TextFile;
import dev.gpt2.eval.metric.Bleu;
import dev.gpt2.eval.metric.Rouge;
import dev.gpt2.eval.text.Detokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every task end to end on the sample files and a model whose probabilities are known by hand. */
class TasksTest {
    private static final double LN2 = Math.log(2);
    private static final double LN255 = Math.log(255);
    private static final double LN256 = Math.log(256);
    /** The 1BW sample detokenized by hand: 18 + 9 words and 2 line ends. */
    static final String BW_TEXT = "The U.S. Senate voted 51 - 49 on Tuesday, and the bill isn't law yet.\n"
            + "She said: \"It's over.\"";

    static EvalResult run(Task task, FakeModel model, EvalOptions options, String... files) {
        return run(task, model, options, java.util.Arrays.stream(files).map(SampleData::path).toArray(Path[]::new));
    }

    static EvalResult run(Task task, LanguageModel model, EvalOptions options, Path... files) {
        return new Evaluation(task, model, List.of(files), options, ProgressListener.none()).run();
    }

    static double value(EvalResult r, String key) {
        return r.metrics().stream().filter(m -> m.key().equals(key)).mapToDouble(MetricValue::value).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + key + " in " + r.metrics()));
    }

    /** The NLL of every position t >= 1 of {@code ids}: what a correct sliding window must add up. */
    static double nll(FakeModel model, int[] ids) {
        double s = 0;
        for (int t = 1; t < ids.length; t++) {
            s -= model.logProb(ids[t - 1], ids[t]);
        }
        return s;
    }

    @Test
    void wikitextIsScoredOnceThroughTheSlidingWindowAndNormalisedPerOriginalWord() {
        FakeModel model = new FakeModel(16).prefer(" Boulter", " is").prefer(".", " He").prefer(" the", " play");
        EvalResult r = run(Task.WIKITEXT2, model, EvalOptions.defaults().withStride(5).withBatchSize(3),
                "wiki.test.tokens");
        List<String> lines = TextFile.lines(SampleData.path("wiki.test.tokens"), "");
        String text = String.join("\n", lines.stream().map(Detokenizer.WIKITEXT::line).toList());
        int[] ids = FakeModel.prepend(0, model.encode(text));
        double nll = nll(model, ids);
        // 71 words: the 8 lines hold 0, 4, 0, 28, 0, 5, 0, 26 tokens, each line one more for its end
        assertEquals(Math.exp(nll / 71), value(r, "ppl"), 1e-9);
        assertEquals(Math.exp(nll / (ids.length - 1)), value(r, "ppl_token"), 1e-9);
        assertEquals(ids.length - 1, value(r, "tokens"));
        assertTrue(model.longestScored <= 16);
        assertTrue(model.scoreBatchSizes.stream().allMatch(n -> n <= 3) && model.scoreBatchSizes.contains(3));
        assertTrue(r.complete());

        // --limit 2: windows [0, 16) and [5, 21) score positions 1..20, normalised by the same share of the words
        EvalResult partial = run(Task.WIKITEXT2, model, EvalOptions.defaults().withStride(5).withLimit(2),
                "wiki.test.tokens");
        double first20 = nll(model, java.util.Arrays.copyOf(ids, 21));
        assertEquals(20, value(partial, "tokens"));
        assertEquals(Math.exp(first20 / (71 * 20.0 / (ids.length - 1))), value(partial, "ppl"), 1e-9);
        assertTrue(partial.notes().getFirst().startsWith("partial run: 20 of " + (ids.length - 1) + " tokens"),
                partial.notes().toString());
    }

    @Test
    void ptbAndOneBillionWordCountWordsPlusEndOfSentence() {
        FakeModel model = new FakeModel(64);
        EvalResult ptb = run(Task.PTB, model, EvalOptions.defaults(), "ptb.test.txt");
        // 6 + 21 + 8 tokens and 3 line ends
        String text = String.join("\n", TextFile.lines(SampleData.path("ptb.test.txt"), "").stream()
                .map(Detokenizer.PTB::line).toList());
        assertEquals(Math.exp(nll(model, FakeModel.prepend(0, model.encode(text))) / 38), value(ptb, "ppl"), 1e-9);
        EvalResult bw = run(Task.ONE_BILLION_WORD, new FakeModel(64), EvalOptions.defaults(),
                "news.en.heldout-00000-of-00050");
        // 18 + 9 tokens and 2 line ends; the uniform model gives ln 256 per GPT-2 token
        assertEquals(Math.exp(new FakeModel(64).encode(BW_TEXT).length * LN256 / 29), value(bw, "ppl"), 1e-6);
    }

    @Test
    void enwik8AndText8AreBitsPerByteAndCharacter() throws Exception {
        FakeModel model = new FakeModel(32);
        EvalResult r = run(Task.ENWIK8, model, EvalOptions.defaults(), "enwik8-sample");
        Path file = SampleData.path("enwik8-sample");
        int tokens = model.encode(Files.readString(file)).length;
        assertEquals(tokens * LN256 / LN2 / Files.size(file), value(r, "bpb"), 1e-9);
        EvalResult t = run(Task.TEXT8, new FakeModel(32), EvalOptions.defaults(), "text8-sample");
        String text8 = Files.readString(SampleData.path("text8-sample"));
        assertEquals(new FakeModel(32).encode(text8).length * 8.0 / text8.length(), value(t, "bpc"), 1e-9);
    }

    @Test
    void rawTestSplitIsTheLastFiveMillionBytesFromACharacterBoundary(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // 2,500,001 two-byte characters then "a": 5,000,003 bytes; the last 5,000,000 start inside the second
        // character, so the split starts at the third: 2,499,999 characters + "a" = 4,999,999 bytes
        Path file = dir.resolve("enwik8");
        Files.writeString(file, "\u00e9".repeat(2_500_001) + "a", StandardCharsets.UTF_8);
        var text = new LanguageModelingTask(LanguageModelingTask.Corpus.ENWIK8).read(file, "enwik8");
        assertEquals(4_999_999, text.units());
        assertEquals("\u00e9".repeat(2_499_999) + "a", text.text());
        var chars = new LanguageModelingTask(LanguageModelingTask.Corpus.TEXT8).read(file, "text8");
        assertEquals(2_500_000, chars.units());

        // a file whose end cuts a character (the first byte of "\u00e9", of "\u20ac"): the cut one is left out
        byte[] cut = (" ab\u00e9".repeat(1000) + " ab\u20ac").getBytes(StandardCharsets.UTF_8);
        for (int drop = 1; drop <= 2; drop++) {
            Files.write(file, java.util.Arrays.copyOf(cut, cut.length - drop));
            var t = new LanguageModelingTask(LanguageModelingTask.Corpus.ENWIK8).read(file, "enwik8");
            assertEquals(" ab\u00e9".repeat(1000) + " ab", t.text());
            assertEquals(cut.length - 3, t.units());
        }
    }

    @Test
    void lambadaHandCheckedPassages() {
        FakeModel model = new FakeModel(64).prefer(" the", " cat").prefer(" saw", " the", " dog");
        EvalResult r = run(Task.LAMBADA, model, EvalOptions.defaults().withBatchSize(2), "lambada.jsonl");
        // took/saw the cat: right every way; they saw the dog: " cat" predicted; we saw dog: greedy " the" is a stop
        // word, the filter takes the next most probable " dog"; it was cat-like: 3 tokens, nothing predicted
        assertEquals(40, value(r, "acc"), 1e-9);
        assertEquals(60, value(r, "acc_stopword_filter"), 1e-9);
        assertEquals(40, value(r, "acc_last_token"), 1e-9);
        double total = LN2 + LN2 + (LN2 + LN255) + 2 * LN2 + 3 * LN256;
        assertEquals(Math.exp(total / 7), value(r, "ppl_token"), 1e-9);
        assertEquals(Math.exp(total / 5), value(r, "ppl_doc"), 1e-9);
    }

    @Test
    void theStopWordFilterAlsoPassesOverPunctuation(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // greedy after " saw" is "." (no word at all), then " dog": the filter takes " dog", as it would a stop word
        Path file = dir.resolve("lambada.jsonl");
        Files.writeString(file, "{\"text\": \"we saw dog\"}\n");
        EvalResult r = run(Task.LAMBADA, new FakeModel(64).prefer(" saw", ".", " dog"), EvalOptions.defaults(), file);
        assertEquals(0, value(r, "acc"), 1e-9);
        assertEquals(100, value(r, "acc_stopword_filter"), 1e-9);
    }

    @Test
    void cbtPicksTheMostProbableCompletedPassage() {
        // question 1: "." -> " mat" is preferred, the answer; question 2: " The" -> " hat" is preferred, not " dog"
        FakeModel model = new FakeModel(128).prefer(".", " mat").prefer(" The", " hat");
        EvalResult r = run(Task.CBT_CN, model, EvalOptions.defaults(), "cbtest_sample.txt");
        assertEquals(50, value(r, "acc"), 1e-9);
        assertEquals(2, r.done());
    }

    @Test
    void wscScoresPartialAndFull() {
        // partial: only " trophy"/" suitcase" -> " is" differs, so A wins both schemas (one right);
        // full: " the" -> " suitcase" outweighs, so B wins both (one right)
        FakeModel model = new FakeModel(64).prefer(" trophy", " is").prefer(" the", " suitcase");
        EvalResult r = run(Task.WSC273, model, EvalOptions.defaults(), "WSCollection-sample.xml");
        assertEquals(50, value(r, "acc_partial"), 1e-9);
        assertEquals(50, value(r, "acc_full"), 1e-9);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("fewer than the 273")));
    }

    @Test
    void coqaAnswersEachTurnGreedilyToTheEndOfTheLine() {
        FakeModel model = new FakeModel(128).prefer(":", " white").prefer(" white", "\n");
        EvalResult r = run(Task.COQA, model, EvalOptions.defaults(), "coqa-dev-sample.json");
        // turn 1 "white" against white/white/White. -> 1; turn 2 "white" against in a house/a house/house -> 0
        assertEquals(50, value(r, "f1"), 1e-9);
        assertEquals(50, value(r, "em"), 1e-9);
        String prompt = CoqaTask.prompt(new dev.gpt2.eval.data.CoqaReader.Story("s", "Story.", List.of(
                new dev.gpt2.eval.data.CoqaReader.Turn("Q1?", "a1", List.of("a1")),
                new dev.gpt2.eval.data.CoqaReader.Turn("Q2?", "a2", List.of("a2")))), 1);
        assertEquals("Story.\n\nQ: Q1?\nA: a1\n\nQ: Q2?\nA:", prompt);
    }

    @Test
    void cnnDailyMailSummaryIsTheFirstThreeGeneratedSentences() {
        FakeModel model = new FakeModel(256).prefer(":", " The").prefer(" The", " mayor").prefer(" mayor", " opened")
                .prefer(" opened", " a").prefer(" a", " bridge").prefer(" bridge", ".").prefer(".", " It")
                .prefer(" It", " is").prefer(" is", " long").prefer(" long", ".");
        EvalResult r = run(Task.CNN_DM, model, EvalOptions.defaults(), "cnn_dm.jsonl");
        assertRouge(r, "The mayor opened a bridge.\nIt is long.\nIt is long.");
        // without the hint the generation continues the article's last "."
        assertRouge(run(Task.CNN_DM_NO_HINT, model, EvalOptions.defaults(), "cnn_dm.jsonl"),
                "It is long.\nIt is long.\nIt is long.");
    }

    /** ROUGE F1 of {@code summary} against both sample highlights, averaged, is what the task reports. */
    private static void assertRouge(EvalResult r, String summary) {
        Rouge.Scores a = Rouge.score("The mayor opened a new bridge .\nIt is long .", summary);
        Rouge.Scores b = Rouge.score("Storm hits town .", summary);
        assertEquals(50 * (a.rouge1().f1() + b.rouge1().f1()), value(r, "rouge1"), 1e-9);
        assertEquals(50 * (a.rouge2().f1() + b.rouge2().f1()), value(r, "rouge2"), 1e-9);
        assertEquals(50 * (a.rougeLsum().f1() + b.rougeLsum().f1()), value(r, "rougeL"), 1e-9);
        assertEquals(50 * (a.rougeL().f1() + b.rougeL().f1()), value(r, "rougeL_whole"), 1e-9);
    }

    @Test
    void translationUsesExamplePairsAndCorpusBleu() {
        FakeModel model = new FakeModel(256).prefer(" =", " J").prefer(" J", " aime").prefer(" aime", " le")
                .prefer(" le", " th\u00e9").prefer(" th\u00e9", ".").prefer(".", "\n");
        EvalResult enFr = run(Task.WMT14_EN_FR, model, EvalOptions.defaults(), "newstest2014.en", "newstest2014.fr");
        assertEquals(1, enFr.done());
        assertEquals(100, value(enFr, "bleu"), 1e-9);
        EvalResult fewer = run(Task.WMT14_EN_FR, model, EvalOptions.defaults().withShots(4), "newstest2014.en",
                "newstest2014.fr");
        double expected = Bleu.corpus(List.of("J aime le th\u00e9.", "J aime le th\u00e9."),
                List.of(List.of("La maison est grande.", "J aime le th\u00e9."))).score();
        assertEquals(expected, value(fewer, "bleu"), 1e-9);
        EvalResult frEn = run(Task.WMT14_FR_EN, model, EvalOptions.defaults(), "newstest2014.en", "newstest2014.fr");
        // the same generation against the English side: only "." matches
        assertEquals(Bleu.corpus(List.of("J aime le th\u00e9."), List.of(List.of("I like tea."))).score(),
                value(frEn, "bleu"), 1e-9);
    }

    @Test
    void naturalQuestionsExactMatchAndMostConfident() {
        FakeModel model = new FakeModel(256).prefer(":", " Leonardo").prefer(" Leonardo", "\n");
        EvalResult r = run(Task.NATURAL_QUESTIONS, model, EvalOptions.defaults().withShots(2), "nq_open.jsonl");
        assertEquals(2, r.done());
        assertEquals(50, value(r, "em"), 1e-9);
        var answers = List.of(new QuestionAnsweringTask.Answer(-3, false), new QuestionAnsweringTask.Answer(-0.5, true),
                new QuestionAnsweringTask.Answer(-1, false));
        assertEquals(List.of(answers.get(1)), QuestionAnsweringTask.mostConfident(answers, 0.01));
        assertEquals(List.of(answers.get(1), answers.get(2)), QuestionAnsweringTask.mostConfident(answers, 0.5));
    }
}
