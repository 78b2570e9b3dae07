package dev.gpt2.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** score and info on the reference checkpoints, and the one-line errors of bad models. */
class ModelCommandsTest {
    private static final String TINY_A = Cli.model("tiny-a").toString();

    @TempDir
    Path dir;

    @Test
    void backendsListsEveryBackendWithItsStateAndItsDtypesInOneOrder() {
        Cli r = Cli.run("backends");
        assertEquals(0, r.exitCode(), r.err());
        String vector = r.out().lines().filter(l -> l.contains(" vector ")).findFirst().orElseThrow();
        assertTrue(vector.contains("available") && vector.endsWith("[f32, f16, bf16, q8]"), vector);
        assertTrue(r.out().contains("reference"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("*")), "one backend is marked as the default: " + r.out());
    }

    @Test
    void scoreIdsAsJson() {
        // tiny-a's second case: ids [167, 483], nll_sum 6.8194032337170185 from numpy
        Cli r = Cli.run("score", "--model", TINY_A, "--backend", "reference", "--ids", "167 483", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(6.8194032337170185, r.number("nll_sum"), 1e-4);
        assertEquals(2, r.number("tokens"));
        assertEquals(1, r.number("scored_tokens"));
        assertEquals(Math.exp(6.8194032337170185), r.number("ppl"), 1e-2);
        assertTrue(r.out().contains("\"backend\":\"reference\"") && r.out().contains("\"dtype\":\"f32\""), r.out());
        assertEquals(1, r.out().strip().lines().count());
    }

    @Test
    void scoreOneTokenHasNoPerplexity() {
        Cli r = Cli.run("score", "--model", TINY_A, "--backend", "reference", "--ids", "355", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"nll_sum\":0.0") && r.out().contains("\"ppl\":null"), r.out());
        Cli text = Cli.run("score", "--model", TINY_A, "--backend", "reference", "--ids", "355");
        assertTrue(text.out().lines().anyMatch(l -> l.matches("ppl +-")), text.out());
    }

    @Test
    void info() {
        Cli r = Cli.run("info", "--model", Cli.model("tiny-b").toString(), "--backend", "reference");
        assertEquals(0, r.exitCode(), r.err());
        for (String expected : new String[] {"n_layer              3", "n_embd               96", "vocab_size           50257",
            "stored dtype         f16", "backend              reference", "parameters           5,184,960"}) {
            assertTrue(r.out().contains(expected), expected + " in:\n" + r.out());
        }
    }

    private static void assertOneLineError(Cli r, String command, String... phrases) {
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("gpt2 " + command + ": "), r.err());
        for (String p : phrases) {
            assertTrue(r.err().contains(p), p + " in " + r.err());
        }
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void modelProblemsAreOneLine() throws IOException {
        assertOneLineError(Cli.run("score", "--model", dir.resolve("nowhere").toString(), "--ids", "1 2"), "score",
                "does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertOneLineError(Cli.run("generate", "--model", empty.toString(), "--prompt-ids", "1", "--greedy",
                "--backend", "reference"), "generate", "is empty");
        Path cut = Files.createDirectories(dir.resolve("cut"));
        Files.copy(Cli.model("tiny-a").resolve("config.json"), cut.resolve("config.json"));
        byte[] bytes = Files.readAllBytes(Cli.model("tiny-a").resolve("model.safetensors"));
        Files.write(cut.resolve("model.safetensors"), Arrays.copyOf(bytes, bytes.length - 100));
        assertOneLineError(Cli.run("info", "--model", cut.toString(), "--backend", "reference"), "info",
                "model.safetensors", "truncated");
        assertOneLineError(Cli.run("bench", "--model", cut.toString(), "--backend", "reference"), "bench",
                "truncated");
        assertOneLineError(Cli.run("score", "--model", TINY_A, "--backend", "reference", "--ids", "1 1000"),
                "score", "token id 1000 at index 1");
        assertOneLineError(Cli.run("score", "--model", TINY_A, "--backend", "nonesuch", "--ids", "1 2"),
                "score", "backend 'nonesuch' is not on the module path", "reference");
    }

    /** A choice from -Dgpt2.backend says so, and the others are listed briefly, on one line. */
    @Test
    void aBackendChosenByPropertyIsNamedWithItsSource() {
        System.setProperty("gpt2.backend", "nonesuch");
        try {
            Cli r = Cli.run("score", "--model", TINY_A, "--ids", "1 2");
            assertEquals(1, r.exitCode());
            String line = r.err().strip();
            assertTrue(line.startsWith("gpt2 score: backend 'nonesuch' (from -Dgpt2.backend) is not on the module"
                    + " path; available: "), line);
            assertTrue(line.contains("reference") && line.endsWith("(see gpt2 backends)"), line);
            assertEquals(1, line.lines().count(), line);
        } finally {
            System.clearProperty("gpt2.backend");
        }
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Cli r = Cli.run("--verbose", "score", "--model", dir.resolve("nowhere").toString(), "--ids", "1 2");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void usageErrors() {
        Cli r = Cli.run("score", "--model", TINY_A, "--ids", "1 x");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("'x' is not a token id"), r.err());
        r = Cli.run("generate", "--model", TINY_A, "--prompt-ids", "1", "--greedy", "--temperature", "0.5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--greedy takes no --temperature"), r.err());
        r = Cli.run("score", "--model", TINY_A, "--backend", "reference", "--ids", "1 2", "--dtype", "f12");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown dtype 'f12'"), r.err());
    }

    /** Every usage error is one line: the command, the problem and where the help is (no usage block). */
    @Test
    void usageErrorsAreOneLine() {
        Cli r = Cli.run("generate", "--model", TINY_A, "--prompt-ids", "abc");
        assertEquals(2, r.exitCode());
        assertEquals("gpt2 generate: Invalid value for option '--prompt-ids': 'abc' is not a token id: give whole"
                + " numbers separated by spaces or commas, e.g. \"464 3290\" (see 'gpt2 generate --help')",
                r.err().strip());
        r = Cli.run("score", "--model", TINY_A, "--ids", "1 2", "--no-such-option");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("gpt2 score: Unknown option: '--no-such-option'"), r.err());
        r = Cli.run("generate", "--model", TINY_A, "--prompt-ids", "1", "--greedy", "--seed", "3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("gpt2 generate: --greedy takes no --seed"), r.err());
        r = Cli.run("score", "--model", TINY_A, "--ids", "1 2", "--threads", "100000");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("100000 threads is more than 8 per processor"), r.err());
        r = Cli.run("bench", "--model", TINY_A, "--prompt-tokens", "0");
        assertEquals(2, r.exitCode());
        assertEquals("gpt2 bench: --prompt-tokens must be at least 1, got 0", r.err().strip());
        r = Cli.run("generate", "--version");
        assertEquals(0, r.exitCode());
        assertEquals("gpt2 0.1.0", r.out().strip());
    }
}
