package dev.gpt2.cli;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.core.Gpt2;
import dev.gpt2.eval.EvalOptions;
import dev.gpt2.eval.EvalResult;
import dev.gpt2.eval.Evaluation;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.ProgressListener;
import dev.gpt2.eval.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    private static final String TINY_B = Cli.model("tiny-b").toString();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryTask() {
        assertEquals(0, run("eval", "--help"));
        String help = out.toString();
        for (Task t : Task.values()) {
            assertTrue(help.contains("  " + t.id() + " "), "missing " + t.id() + " in\n" + help);
            assertTrue(help.contains(t.data()), help);
        }
        assertTrue(help.contains("--limit=N"), help);
        assertTrue(help.contains("--json"), help);
        assertTrue(help.contains("the most confident 1%\n"), help);
    }

    @Test
    void unknownTaskIsAUsageError() {
        assertEquals(2, run("eval", "squad", "--model", "m", "--data", "d"));
        assertTrue(err.toString().contains("unknown task 'squad': use one of wikitext2, wikitext103"), err.toString());
    }

    @Test
    void missingDataFileIsOneLineBeforeAnyModelLoads() {
        assertEquals(1, run("eval", "ptb", "--model", "random:124M", "--data", "/nonexistent/ptb.test.txt"));
        assertEquals("gpt2 eval: /nonexistent/ptb.test.txt: no such file; expected ptb.test.txt "
                + "(see gpt2-eval/README.md for where to get it)", err.toString().strip());
    }

    @Test
    void translationNeedsTwoFiles() {
        assertEquals(2, run("eval", "wmt14-en-fr", "--model", "random:124M", "--data", "test.en"));
        assertTrue(err.toString().startsWith("gpt2 eval: wmt14-en-fr reads 2 data files"), err.toString());
    }

    @Test
    void anOptionTheTaskDoesNotReadIsAUsageError() {
        assertEquals(2, run("eval", "lambada", "--model", "m", "--data", "d", "--shots", "3"));
        assertTrue(err.toString().contains("--shots applies to wmt14-en-fr, wmt14-fr-en and nq only, not to lambada"),
                err.toString());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertEquals(2, run("eval", "ptb", "--model", "m", "--data", "d", "--batch", "0"));
        assertTrue(err.toString().contains("--batch must be at least 1, got 0"), err.toString());
    }

    @Test
    void lambadaOnARealModelPrintsWhatTheLibraryComputes() throws IOException {
        Path data = Files.write(dir.resolve("lambada_test.jsonl"), List.of("{\"text\": \"she took the speculative\"}",
                "{\"text\": \"we saw Sears\"}", "{\"text\": \"she took the cat\"}", "{\"text\": \"he saw the dog\"}"));
        assertEquals(0, run("eval", "lambada", "--model", TINY_B, "--backend", "reference", "--data", data.toString(),
                "--limit", "3", "--json"), err.toString());
        assertTrue(err.toString().contains("lambada: 3/3 passages"), err.toString());
        EvalResult expected;
        try (LanguageModel model = Gpt2.load(TINY_B, LoadOptions.defaults().withBackend("reference"))) {
            expected = new Evaluation(Task.LAMBADA, model, List.of(data), EvalOptions.defaults().withLimit(3),
                    ProgressListener.none()).run();
        }
        String json = out.toString();
        assertTrue(json.contains("\"items\":3,\"items_total\":3"), json);
        assertEquals(5, expected.metrics().size());
        for (MetricValue m : expected.metrics()) {
            Matcher value = Pattern.compile("\"" + m.key() + "\":\\{\"value\":([-0-9.eE]+)").matcher(json);
            assertTrue(value.find(), m.key() + " in " + json);
            assertEquals(m.value(), Double.parseDouble(value.group(1)), 1e-9 * m.value(), m.key());
        }
    }

    @Test
    void backendChosenByTheSystemPropertyAndATable() throws IOException {
        Path data = Files.write(dir.resolve("lambada_test.jsonl"), List.of("{\"text\": \"she took the cat\"}"));
        String before = System.getProperty(BackendRegistry.PROPERTY);
        System.setProperty(BackendRegistry.PROPERTY, "reference");
        try {
            assertEquals(0, run("eval", "lambada", "--model", TINY_B, "--data", data.toString()), err.toString());
        } finally {
            if (before == null) {
                System.clearProperty(BackendRegistry.PROPERTY);
            } else {
                System.setProperty(BackendRegistry.PROPERTY, before);
            }
        }
        String table = out.toString();
        assertTrue(table.startsWith("lambada: LAMBADA final-word accuracy"), table);
        assertTrue(table.contains("not a released GPT-2 size: no paper value to compare with"), table);
        assertTrue(table.contains("1/1 passages in "), table);
        Pattern greedyRow = Pattern.compile("\nfinal word, every token greedy \\(lm-eval\\) +0\\.00 +n/a  %\n");
        assertTrue(greedyRow.matcher(table).find(), table);
    }
}
