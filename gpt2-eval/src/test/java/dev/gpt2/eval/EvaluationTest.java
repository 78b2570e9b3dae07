package dev.gpt2.eval;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.ModelSize;
import dev.gpt2.eval.task.FakeModel;
import dev.gpt2.eval.task.SampleData;
import org.junit.jupiter.api.Test;
import tools.jackson.jr.ob.JSON;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationTest {

    private static FakeModel lambadaModel() {
        return new FakeModel(64).prefer(" the", " cat").prefer(" saw", " the", " dog");
    }

    private static List<Path> lambada() {
        return List.of(SampleData.path("lambada.jsonl"));
    }

    @Test
    void limitEvaluatesTheFirstItemsOnly() {
        EvalResult r = new Evaluation(Task.LAMBADA, lambadaModel(), lambada(), EvalOptions.defaults().withLimit(2),
                ProgressListener.none()).run();
        assertEquals(2, r.done());
        assertEquals(2, r.total());
        assertTrue(r.complete());
        assertEquals(100, r.metrics().stream().filter(m -> m.key().equals("acc")).findFirst().orElseThrow().value());
    }

    @Test
    void stopReturnsThePartialResultAfterTheBatchInFlight() {
        List<Progress> seen = new ArrayList<>();
        Evaluation[] evaluation = new Evaluation[1];
        evaluation[0] = new Evaluation(Task.LAMBADA, lambadaModel(), lambada(), EvalOptions.defaults().withBatchSize(2),
                p -> {
                    seen.add(p);
                    if (p.done() == 2) {
                        evaluation[0].stop();
                    }
                });
        EvalResult r = evaluation[0].run();
        assertTrue(r.stopped());
        assertFalse(r.complete());
        assertEquals(2, r.done());
        assertEquals(5, r.total());
        assertEquals(List.of(0L, 2L), seen.stream().map(Progress::done).toList());
        assertTrue(r.table().contains("stopped: partial result"));
    }

    @Test
    void paperValuesForAReleasedSizeInTableAndJson() throws Exception {
        FakeModel model = lambadaModel().reporting(new dev.gpt2.api.ModelConfig(12, 768, 12, 64, 256, 3072, 1e-5f));
        EvalResult r = new Evaluation(Task.LAMBADA, model, lambada(), EvalOptions.defaults(), ProgressListener.none())
                .run();
        assertEquals(ModelSize.GPT2_124M, r.size().orElseThrow());
        MetricValue filter = r.metrics().stream().filter(m -> m.key().equals("acc_stopword_filter")).findFirst()
                .orElseThrow();
        assertEquals(45.99, filter.paper().orElseThrow());
        assertTrue(r.metrics().stream().filter(m -> m.key().equals("acc")).findFirst().orElseThrow().paper().isEmpty());
        String table = r.table();
        assertTrue(table.contains("paper 117M"), table);
        assertTrue(table.contains("45.99"), table);
        Map<String, Object> json = JSON.std.mapFrom(r.json());
        assertEquals("lambada", json.get("task"));
        assertEquals("117M", json.get("paper_size"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> metrics = (Map<String, Map<String, Object>>) json.get("metrics");
        assertEquals(45.99, ((Number) metrics.get("acc_stopword_filter").get("paper")).doubleValue());
        assertEquals(60.0, ((Number) metrics.get("acc_stopword_filter").get("value")).doubleValue(), 1e-9);
        assertTrue(metrics.get("acc_last_token").containsKey("paper"), r.json());
        assertNull(metrics.get("acc_last_token").get("paper"));
        Map<String, Object> unreleased = JSON.std.mapFrom(new Evaluation(Task.LAMBADA, lambadaModel(), lambada(),
                EvalOptions.defaults(), ProgressListener.none()).run().json());
        assertTrue(unreleased.containsKey("size") && unreleased.get("size") == null, unreleased.toString());
    }

    @Test
    void paperTableHasTheNumbersOfTable3() {
        assertEquals(18.34, PaperResults.value(Task.WIKITEXT2, "ppl", ModelSize.GPT2_1558M).orElseThrow());
        assertEquals(44.575, PaperResults.value(Task.ONE_BILLION_WORD, "ppl", ModelSize.GPT2_774M).orElseThrow());
        assertEquals(1.01, PaperResults.value(Task.ENWIK8, "bpb", ModelSize.GPT2_355M).orElseThrow());
        assertTrue(PaperResults.value(Task.COQA, "f1", ModelSize.GPT2_124M).isEmpty());
        assertEquals(55, PaperResults.value(Task.COQA, "f1", ModelSize.GPT2_1558M).orElseThrow());
    }

    @Test
    void progressRateAndTimeLeft() {
        Progress p = new Progress(Task.PTB, 30, 120, "windows", Duration.ofSeconds(60));
        assertEquals(0.5, p.rate(), 1e-12);
        assertEquals(Duration.ofSeconds(180), p.remaining().orElseThrow());
        assertEquals("ptb: 30/120 windows  0.50/s  elapsed 1m00s  left 3m00s", p.line());
        assertTrue(new Progress(Task.PTB, 0, 120, "windows", Duration.ofSeconds(1)).remaining().isEmpty());
    }

    @Test
    void taskNames() {
        assertEquals(Task.CBT_NE, Task.parse("CBT-NE"));
        var e = assertThrows(IllegalArgumentException.class, () -> Task.parse("squad"));
        assertTrue(e.getMessage().contains("wikitext2, wikitext103, ptb, 1bw"), e.getMessage());
    }

    @Test
    void dataErrorsNameTheFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        FakeModel model = new FakeModel(64);
        Path missing = dir.resolve("lambada_test.jsonl");
        var e = assertThrows(Gpt2Exception.class, () -> run(Task.LAMBADA, model, missing));
        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith(missing + ": no such file; expected lambada_test.jsonl"), e.getMessage());

        Path bad = dir.resolve("bad.jsonl");
        java.nio.file.Files.writeString(bad, "{\"text\": \"this is ok\"}\n\n{\"text\": \"unterminated}\n");
        var e2 = assertThrows(EvalDataException.class, () -> run(Task.LAMBADA, model, bad));
        assertTrue(e2.getMessage().startsWith(bad + ":3: not a JSON object"), e2.getMessage());

        // a second object (or anything) after the line's object is not silently dropped
        java.nio.file.Files.writeString(bad, "{\"text\": \"one two\"} {\"text\": \"three four\"}\n");
        var e12 = assertThrows(EvalDataException.class, () -> run(Task.LAMBADA, model, bad));
        assertTrue(e12.getMessage().startsWith(bad + ":1: holds more after its JSON object"), e12.getMessage());

        Path oneWord = dir.resolve("words.jsonl");
        java.nio.file.Files.writeString(oneWord, "{\"text\": \"a passage\"}\n{\"text\": \" word \"}\n");
        var e9 = assertThrows(EvalDataException.class, () -> run(Task.LAMBADA, model, oneWord));
        assertTrue(e9.getMessage().startsWith(oneWord + ":2: \"text\" must hold a passage and its last word"),
                e9.getMessage());
        java.nio.file.Files.writeString(oneWord, "{\"text\": \"\"}\n");
        var e10 = assertThrows(EvalDataException.class, () -> run(Task.LAMBADA, model, oneWord));
        assertTrue(e10.getMessage().contains(":1: \"text\" must hold a passage and its last word, separated by a space;"
                + " got an empty text"), e10.getMessage());

        Path wrongField = dir.resolve("nq.jsonl");
        java.nio.file.Files.writeString(wrongField, "{\"question\": \"q\", \"answers\": [\"a\"]}\n");
        var e3 = assertThrows(EvalDataException.class, () -> run(Task.NATURAL_QUESTIONS, model, wrongField));
        assertTrue(e3.getMessage().startsWith(wrongField + ":1: missing field \"answer\""), e3.getMessage());

        var e4 = assertThrows(EvalDataException.class,
                () -> run(Task.CBT_CN, model, SampleData.path("cbtest-malformed.txt")));
        assertTrue(e4.getMessage().contains("cbtest-malformed.txt:3: a query line needs"), e4.getMessage());

        Path xml = dir.resolve("WSCollection.xml");
        java.nio.file.Files.writeString(xml, "<collection>\n<schema>\n<text><txt1>a</txt1>\n</collection>\n");
        var e5 = assertThrows(EvalDataException.class, () -> run(Task.WSC273, model, xml));
        assertTrue(e5.getMessage().startsWith(xml + ":4: not well-formed XML"), e5.getMessage());

        Path coqa = dir.resolve("coqa.json");
        java.nio.file.Files.writeString(coqa, "{\"data\": [{\"story\": \"s\", \"questions\": [{\"input_text\": \"q\"}],"
                + " \"answers\": []}]}");
        var e6 = assertThrows(EvalDataException.class, () -> run(Task.COQA, model, coqa));
        assertTrue(e6.getMessage().contains("an answer list has 0 answers for 1 questions at data[0]"),
                e6.getMessage());

        java.nio.file.Files.writeString(coqa, "{\"data\": [{\"story\": \"s\", \"questions\": [], \"answers\": []}]}");
        var e11 = assertThrows(EvalDataException.class, () -> run(Task.COQA, model, coqa));
        assertTrue(e11.getMessage().contains("its 1 stories hold no questions"), e11.getMessage());

        Path latin1 = dir.resolve("ptb.test.txt");
        java.nio.file.Files.write(latin1, new byte[] {'a', '\n', 'b', (byte) 0xE9, '\n'});
        var e7 = assertThrows(EvalDataException.class, () -> run(Task.PTB, model, latin1));
        assertTrue(e7.getMessage().startsWith(latin1 + ":2: not UTF-8 text"), e7.getMessage());

        var e8 = assertThrows(IllegalArgumentException.class, () -> run(Task.WMT14_EN_FR, model,
                SampleData.path("newstest2014.en")));
        assertTrue(e8.getMessage().startsWith("wmt14-en-fr reads 2 data files"), e8.getMessage());

        Path en = dir.resolve("newstest2014.en");
        Path fr = dir.resolve("newstest2014.fr");
        java.nio.file.Files.writeString(en, "One.\nTwo.\nThree.\n");
        java.nio.file.Files.writeString(fr, "Un.\n \nTrois.\n");
        var e13 = assertThrows(EvalDataException.class, () -> new Evaluation(Task.WMT14_EN_FR, model, List.of(en, fr),
                EvalOptions.defaults(), ProgressListener.none()).run());
        assertTrue(e13.getMessage().startsWith(fr + ":2: is blank"), e13.getMessage());
    }

    private static EvalResult run(Task task, FakeModel model, Path file) {
        return new Evaluation(task, model, List.of(file), EvalOptions.defaults(), ProgressListener.none()).run();
    }
}
