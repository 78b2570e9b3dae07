package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.core.Gpt2;
import dev.gpt2.eval.EvalOptions;
import dev.gpt2.eval.EvalResult;
import dev.gpt2.eval.Task;
import dev.gpt2.eval.data.TextFile;
import dev.gpt2.eval.metric.AnswerMetrics;
import dev.gpt2.eval.metric.Bleu;
import dev.gpt2.eval.metric.Rouge;
import dev.gpt2.eval.text.Detokenizer;
import dev.gpt2.eval.text.Sentences;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.jr.ob.JSON;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.gpt2.eval.task.TasksTest.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every task end to end through a real GPT-2: the tiny-b fixture (random weights, the real 50,257-token vocabulary,
 * 256 positions) on the reference backend. Random weights make the numbers meaningless as results, but each is checked
 * against what separate {@code score} and {@code generate} calls give for the same texts, written out by hand here.
 * Where a random model would make a metric trivially 0, the data file is written from the model's own output so that
 * the metric must come out right for the right reason.
 */
class TinyGpt2Test {
    private static final double TOLERANCE = 1e-9;
    private static LanguageModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        Path tinyB = Path.of(System.getProperty("gpt2.testdata", "../testdata"), "models", "tiny-b");
        model = Gpt2.load(tinyB.toString(), LoadOptions.defaults().withBackend("reference"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static EvalResult run(Task task, EvalOptions options, Path... files) {
        return TasksTest.run(task, model, options, files);
    }

    /** The NLL of a text's tokens after the first, scored alone. */
    private static double nll(String text) {
        return model.score(text, ScoreOptions.defaults()).nllSum();
    }

    /** The NLL of a text after an {@code <|endoftext|>}: every token of it. */
    private static double nllAfterEndOfText(String text) {
        return model.score(text, ScoreOptions.defaults().withPrependEndOfText(true)).nllSum();
    }

    private static Generation greedy(String prompt, int maxNewTokens, List<String> stops) {
        return model.generate(prompt, GenerationOptions.defaults().withMaxNewTokens(maxNewTokens)
                .withStopStrings(stops));
    }

    private static int argmax(float[] logits) {
        return IntStream.range(0, logits.length).reduce((a, b) -> logits[b] > logits[a] ? b : a).orElseThrow();
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines);
    }

    @Test
    void languageModellingSlidesItsWindowAsTheModelsOwnScore() throws IOException {
        // the sample 3 times and its first 2 lines (3 * 71 + 1 + 5 words): 259 tokens after <|endoftext|>, more
        // than tiny-b's 256 positions
        List<String> sample = TextFile.lines(SampleData.path("wiki.test.tokens"), "");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.addAll(sample);
        }
        lines.addAll(sample.subList(0, 2));
        Path file = write("wiki.test.tokens", lines);
        String text = String.join("\n", lines.stream().map(Detokenizer.WIKITEXT::line).toList());
        Score expected = model.score(model.encode(text), ScoreOptions.defaults().withStride(100)
                .withPrependEndOfText(true));
        assertEquals(260, expected.tokens());

        EvalResult r = run(Task.WIKITEXT2, EvalOptions.defaults().withStride(100).withBatchSize(1), file);
        // windows [0, 256) and [100, 260): the second scores positions 256..259 with 156 tokens of context
        assertEquals(2, r.done());
        assertEquals(259, value(r, "tokens"));
        double nll = Math.log(value(r, "ppl_token")) * 259;
        assertEquals(expected.nllSum(), nll, TOLERANCE * expected.nllSum());
        assertEquals(Math.exp(expected.nllSum() / (3 * 71 + 6)), value(r, "ppl"), 1e-6);
    }

    @Test
    void otherCorporaAreScoredAfterEndOfTextAndNormalisedPerUnit() throws IOException {
        EvalResult ptb = run(Task.PTB, EvalOptions.defaults(), SampleData.path("ptb.test.txt"));
        String ptbText = "no it wasn't black monday\nbut while the new york stock exchange didn't fall apart friday as"
                + " the dow jones industrial average plunged N points\nthe $N billion fund's managers said";
        assertEquals(Math.exp(nllAfterEndOfText(ptbText) / 38), value(ptb, "ppl"), 1e-6);

        EvalResult bw = run(Task.ONE_BILLION_WORD, EvalOptions.defaults(),
                SampleData.path("news.en.heldout-00000-of-00050"));
        assertEquals(Math.exp(nllAfterEndOfText(TasksTest.BW_TEXT) / 29), value(bw, "ppl"), 1e-6);

        Path enwik8 = SampleData.path("enwik8-sample");
        String raw = Files.readString(enwik8);
        double bpb = model.score(raw, ScoreOptions.defaults().withPrependEndOfText(true)).bitsPerByte().orElseThrow();
        assertEquals(bpb, value(run(Task.ENWIK8, EvalOptions.defaults(), enwik8), "bpb"), 1e-9);

        Path text8 = SampleData.path("text8-sample");
        String chars = Files.readString(text8);
        assertEquals(nllAfterEndOfText(chars) / Math.log(2) / chars.length(),
                value(run(Task.TEXT8, EvalOptions.defaults(), text8), "bpc"), 1e-9);
    }

    @Test
    void lambadaCountsWhatTheModelPredictsAndScoresTheFinalWord() throws IOException {
        // Passages written from tiny-b's own predictions (the --limit 4 leaves the fifth out):
        //   "she took the" -> greedy " speculative", then " speculative": right for acc, filter and last token;
        //   "we saw" -> greedy " Sears", then "rahim": acc and last token right, but the filter's word is
        //       "Searsrahimrahim", not "Sears";
        //   "Is man" -> greedy " not", a stop word; the most probable other token is " oversee", then " mediation":
        //       only the filter is right;
        //   "she took the cat": nothing right.
        List<String> texts = List.of("she took the speculative", "we saw Sears", "Is man oversee", "she took the cat",
                "he saw the cat");
        Path file = write("lambada_test.jsonl", texts.stream().map(t -> "{\"text\": \"" + t + "\"}").toList());
        EvalResult r = run(Task.LAMBADA, EvalOptions.defaults().withLimit(4).withBatchSize(3), file);
        assertEquals(4, r.done());

        assertEquals(" not", greedy("Is man", 1, List.of()).text());
        assertTrue(greedy("we saw", 2, List.of()).text().startsWith(" Searsrahim"));
        int accRight = 0;
        int lastRight = 0;
        double nllSum = 0;
        int tokens = 0;
        for (String t : texts.subList(0, 4)) {
            String context = t.substring(0, t.lastIndexOf(' '));
            int[] target = model.encode(t.substring(t.lastIndexOf(' ')));
            int[] generated = greedy(context, target.length, List.of()).ids();
            accRight += Arrays.equals(generated, target) ? 1 : 0;
            int[] full = model.encode(t);
            lastRight += argmax(model.nextTokenLogits(Arrays.copyOf(full, full.length - 1))) == full[full.length - 1]
                    ? 1 : 0;
            nllSum += nll(t) - nll(context);
            tokens += full.length - model.encode(context).length;
        }
        assertEquals(2, accRight);
        assertEquals(2, lastRight);
        assertEquals(50, value(r, "acc"), TOLERANCE);
        assertEquals(50, value(r, "acc_last_token"), TOLERANCE);
        assertEquals(50, value(r, "acc_stopword_filter"), TOLERANCE);
        assertEquals(Math.exp(nllSum / tokens), value(r, "ppl_token"), 1e-6);
        assertEquals(Math.exp(nllSum / 4), value(r, "ppl_doc"), 1e-6);
    }

    @Test
    void cbtChoosesTheCompletedPassageWithTheLowestNll() throws IOException {
        String[] contexts = {"The cat sat on the mat. \"I like the mat,\" said the cat.",
            "A dog ran. The dog ran home."};
        String[] queries = {"XXXXX is what the cat liked.", "The XXXXX ran away."};
        String[][] candidates = {{"dog", "mat", "hat"}, {"hat", "dog", "mat"}};
        int[] best = new int[2];
        for (int q = 0; q < 2; q++) {
            double[] nll = new double[3];
            for (int c = 0; c < 3; c++) {
                nll[c] = nll(contexts[q] + " " + queries[q].replace("XXXXX", candidates[q][c]));
            }
            best[q] = IntStream.range(0, 3).reduce((a, b) -> nll[b] < nll[a] ? b : a).orElseThrow();
        }
        // the sample with answers set from those NLLs: the first question's answer is its lowest-NLL candidate,
        // the second's is another one, so that a right harness scores exactly 50%
        String sample = Files.readString(SampleData.path("cbtest_sample.txt"));
        String[] blocks = sample.split("\n\n");
        String first = blocks[0].replace("\tmat\t", "\t" + candidates[0][best[0]] + "\t");
        String second = blocks[1].replace("\tdog\t", "\t" + candidates[1][(best[1] + 1) % 3] + "\t");
        Path file = Files.writeString(dir.resolve("cbtest_CN_valid_2000ex.txt"), first + "\n\n" + second + "\n");
        EvalResult r = run(Task.CBT_CN, EvalOptions.defaults(), file);
        assertEquals(2, r.done());
        assertEquals(50, value(r, "acc"), TOLERANCE);
    }

    @Test
    void wscComparesTheRemainderAfterEachCandidateAndTheWholeSentence() {
        String prefix = "The trophy does not fit in the suitcase because ";
        String[] candidates = {"the trophy", "the suitcase"};
        String[] remainders = {" is too big.", " is too small."};
        int[] correct = {0, 1};
        int partialRight = 0;
        int fullRight = 0;
        for (int s = 0; s < 2; s++) {
            double[] partial = new double[2];
            double[] full = new double[2];
            for (int c = 0; c < 2; c++) {
                String before = prefix + candidates[c];
                full[c] = -nllAfterEndOfText(before + remainders[s]);
                partial[c] = full[c] + nllAfterEndOfText(before);
            }
            partialRight += (partial[1] > partial[0] ? 1 : 0) == correct[s] ? 1 : 0;
            fullRight += (full[1] > full[0] ? 1 : 0) == correct[s] ? 1 : 0;
        }
        EvalResult r = run(Task.WSC273, EvalOptions.defaults(), SampleData.path("WSCollection-sample.xml"));
        assertEquals(50.0 * partialRight, value(r, "acc_partial"), TOLERANCE);
        assertEquals(50.0 * fullRight, value(r, "acc_full"), TOLERANCE);
    }

    @Test
    void coqaAnswersGreedilyAfterTheStoryAndTheDialogue() throws IOException {
        String story = "The cat was white. It lived in a house.";
        String answer1 = greedy(story + "\n\nQ: What color was the cat?\nA:", 32, List.of("\n")).text().strip();
        String answer2 = greedy(story + "\n\nQ: What color was the cat?\nA: " + answer1
                + "\n\nQ: Where did it live?\nA:", 32, List.of("\n")).text().strip();
        // the first turn's reference is what the model answers: F1 1; the second is scored against "in a house"
        Map<String, Object> data = Map.of("data", List.of(Map.of("id", "s1", "story", story,
                "questions", List.of(Map.of("input_text", "What color was the cat?", "turn_id", 1),
                        Map.of("input_text", "Where did it live?", "turn_id", 2)),
                "answers", List.of(Map.of("input_text", answer1, "turn_id", 1),
                        Map.of("input_text", "in a house", "turn_id", 2)))));
        Path file = Files.writeString(dir.resolve("coqa-dev-v1.0.json"), JSON.std.asString(data));
        EvalResult r = run(Task.COQA, EvalOptions.defaults(), file);
        AnswerMetrics.Turn second = AnswerMetrics.coqaTurn(answer2, List.of("in a house"));
        assertEquals(50 * (1 + second.f1()), value(r, "f1"), TOLERANCE);
        assertEquals(50 * (1 + second.exactMatch()), value(r, "em"), TOLERANCE);
    }

    @Test
    void cnnDailyMailSamplesTopTwoFromTheArticleAndTheHint() throws IOException {
        String article = "The mayor opened a bridge. The bridge is long.";
        GenerationOptions topTwo = GenerationOptions.defaults().withMaxNewTokens(100)
                .withSampling(Sampling.random(1.0, 2, 1.0));
        String summary = Sentences.first(model.generate(article + "\nTL;DR:", topTwo.withSeed(99)).text(), 3);
        String plain = Sentences.first(model.generate(article, topTwo.withSeed(99)).text(), 3);
        assertNotEquals(summary, plain);
        // the first article's highlights are the summary the model samples with seed 99 (--seed 99, article 0)
        Path file = write("cnn_dm.jsonl", List.of(JSON.std.asString(Map.of("article", article, "highlights", summary)),
                "{\"article\": \"A storm hit the town.\", \"highlights\": \"Storm hits town .\"}"));
        EvalOptions options = EvalOptions.defaults().withSeed(99).withLimit(1);
        EvalResult hint = run(Task.CNN_DM, options, file);
        assertEquals(1, hint.done());
        assertEquals(100, value(hint, "rouge1"), TOLERANCE);
        assertEquals(100, value(hint, "rouge2"), TOLERANCE);
        assertEquals(100, value(hint, "rougeL"), TOLERANCE);
        Rouge.Scores noHint = Rouge.score(summary, plain);
        EvalResult ablation = run(Task.CNN_DM_NO_HINT, options, file);
        assertEquals(100 * noHint.rouge1().f1(), value(ablation, "rouge1"), TOLERANCE);
        assertEquals(100 * noHint.rougeL().f1(), value(ablation, "rougeL"), TOLERANCE);
    }

    @Test
    void translationContinuesTheExamplePairsGreedily() throws IOException {
        List<String> english = TextFile.lines(SampleData.path("newstest2014.en"), "");
        List<String> french = TextFile.lines(SampleData.path("newstest2014.fr"), "");
        StringBuilder enFr = new StringBuilder();
        StringBuilder frEn = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            enFr.append(english.get(i)).append(" = ").append(french.get(i)).append('\n');
            frEn.append(french.get(i)).append(" = ").append(english.get(i)).append('\n');
        }
        // room for the answer: twice the source's tokens plus 16
        String toFrench = Sentences.split(greedy(enFr + "I like tea. =", 2 * 4 + 16, List.of("\n")).text())
                .getFirst();
        String toEnglish = Sentences.split(greedy(frEn + "J aime le th\u00e9. =",
                2 * model.encode("J aime le th\u00e9.").length + 16, List.of("\n")).text()).getFirst();
        // the French reference of the evaluated sentence is the model's own translation: BLEU 100
        List<String> ownFrench = new ArrayList<>(french.subList(0, 5));
        ownFrench.add(toFrench);
        Path en = SampleData.path("newstest2014.en");
        EvalResult r = run(Task.WMT14_EN_FR, EvalOptions.defaults(), en, write("newstest2014.fr", ownFrench));
        assertEquals(1, r.done());
        assertEquals(100, value(r, "bleu"), TOLERANCE);
        EvalResult back = run(Task.WMT14_FR_EN, EvalOptions.defaults(), en, SampleData.path("newstest2014.fr"));
        assertEquals(Bleu.corpus(List.of(toEnglish), List.of(List.of("I like tea."))).score(), value(back, "bleu"),
                TOLERANCE);
    }

    @Test
    void naturalQuestionsAnswersGreedilyAndRanksByTheAnswersProbability() throws IOException {
        String examples = "Q: who wrote the origin of species\nA: Charles Darwin\n\n"
                + "Q: what is the capital of france\nA: Paris\n\n";
        String[] questions = {"who painted the mona lisa", "what is the largest planet"};
        String[] answers = new String[2];
        double[] logProb = new double[2];
        for (int i = 0; i < 2; i++) {
            // the prompt encoded as one text: its blank lines before "Q" are two "\n" tokens, not one "\n\n"
            int[] prompt = model.encode(examples + "Q: " + questions[i] + "\nA:");
            Generation g = model.generate(GenerationRequest.of(prompt, GenerationOptions.defaults()
                    .withMaxNewTokens(24).withStopStrings(List.of("\n"))));
            answers[i] = g.text().strip();
            int[] answered = IntStream.concat(Arrays.stream(prompt), Arrays.stream(g.ids())).toArray();
            double[] lp = model.score(answered, ScoreOptions.defaults().withTokenLogProbs(true)).tokenLogProbs();
            logProb[i] = Arrays.stream(lp, prompt.length, answered.length).sum();
        }
        assertNotEquals(0, AnswerMetrics.normalize(answers[0]).length());
        assertEquals(0, AnswerMetrics.maxExactMatch(answers[1], List.of("Jupiter")));
        // the first question's reference is the model's answer: right; the second is wrong
        Path file = write("nq_open.jsonl", List.of(
                "{\"question\": \"who wrote the origin of species\", \"answer\": [\"Charles Darwin\"]}",
                "{\"question\": \"what is the capital of france\", \"answer\": [\"Paris\"]}",
                JSON.std.asString(Map.of("question", questions[0], "answer", List.of("nothing", answers[0]))),
                "{\"question\": \"what is the largest planet\", \"answer\": [\"Jupiter\"]}"));
        EvalResult r = run(Task.NATURAL_QUESTIONS, EvalOptions.defaults().withShots(2).withBatchSize(2), file);
        assertEquals(2, r.done());
        assertEquals(50, value(r, "em"), TOLERANCE);
        // the most confident 1% of 2 answers is the one more probable
        assertEquals(logProb[0] > logProb[1] ? 100 : 0, value(r, "acc_top1pct"), TOLERANCE);
    }

    @Test
    void fewShotPromptIsTheJoinedTextEncodedOnce() {
        List<String> examples = List.of("Q: a\nA: b\n\n", "Q: c\nA: d\n\n");
        int[] joined = model.encode("Q: a\nA: b\n\nQ: c\nA: d\n\nQ: e\nA:");
        assertArrayEquals(joined, FewShot.prompt(model, examples, "Q: e\nA:", 256, 24));
        int[] query = model.encode("Q: e\nA:");
        int[] last = model.encode("Q: c\nA: d\n\nQ: e\nA:");
        assertArrayEquals(last, FewShot.prompt(model, examples, "Q: e\nA:", last.length + 24, 24));
        // one token less: the pieces encoded alone would fit (their "\n\n" is one token), the joined text does not
        assertEquals(last.length - 1, model.encode(examples.get(1)).length + query.length);
        assertArrayEquals(query, FewShot.prompt(model, examples, "Q: e\nA:", last.length - 1 + 24, 24));
    }
}
