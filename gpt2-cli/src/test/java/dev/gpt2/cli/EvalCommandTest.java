package dev.gpt2.cli;

import dev.gpt2.eval.Task;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

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
    void badOptionValuesAreUsageErrors() {
        assertEquals(2, run("eval", "ptb", "--model", "m", "--data", "d", "--batch", "0"));
        assertTrue(err.toString().contains("--batch must be at least 1, got 0"), err.toString());
    }
}
