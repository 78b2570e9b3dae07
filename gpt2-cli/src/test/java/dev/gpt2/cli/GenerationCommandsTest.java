package dev.gpt2.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate and bench, and score of a text file, on the reference checkpoints. */
class GenerationCommandsTest {
    private static final String TINY_A = Cli.model("tiny-a").toString();
    private static final String TINY_B = Cli.model("tiny-b").toString();

    // tiny-b's third case: its greedy continuation from numpy (min margin 0.046)
    private static final String PROMPT = "49543 4546 21483 1 16843 7048 9183 37153 34091 26550 14834";
    private static final String CONTINUATION = "39253 14688 14688 185 185 31345 8127 49478 49478 49478 49478 49478 49478"
            + " 49478 49478 49478 49478 49478 49478 49478";

    @TempDir
    Path dir;

    @Test
    void greedyIdsMatchNumpy() {
        Cli r = Cli.run("generate", "--model", TINY_B, "--backend", "reference", "--prompt-ids", PROMPT, "--greedy",
                "--output-ids", "--max-new-tokens", "20");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(CONTINUATION, r.out().strip());
        // without --max-new-tokens: 20, as Hugging Face's generate
        r = Cli.run("generate", "--model", TINY_B, "--backend", "reference", "--prompt-ids", PROMPT, "--greedy",
                "--output-ids");
        assertEquals(CONTINUATION, r.out().strip());
    }

    @Test
    void defaultLengthFitsTheContext() {
        // tiny-a has 128 positions: a prompt of 120 leaves 8
        String prompt = "5 ".repeat(120);
        Cli r = Cli.run("generate", "--model", TINY_A, "--backend", "reference", "--prompt-ids", prompt, "--greedy",
                "--output-ids");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(8, r.out().strip().split(" ").length);
        r = Cli.run("generate", "--model", TINY_A, "--backend", "reference", "--prompt-ids", prompt, "--greedy",
                "--max-new-tokens", "9");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("more than the model's context of 128 positions"), r.err());
    }

    @Test
    void textIsStreamedAndSeedsRepeat() {
        String[] args = {"generate", "--model", TINY_B, "--backend", "reference", "--prompt", "Hello, my dog",
            "--max-new-tokens", "6", "--seed", "5", "--temperature", "0.8", "--top-k", "20"};
        Cli a = Cli.run(args);
        Cli b = Cli.run(args);
        assertEquals(0, a.exitCode(), a.err());
        assertTrue(a.out().length() > 1, a.out());
        assertEquals(a.out(), b.out());
        assertFalse(a.err().contains("seed"), a.err());

        // without --seed the picked one is said, and gives the same text again
        String[] unseeded = java.util.Arrays.copyOf(args, args.length - 6);
        Cli c = Cli.run(unseeded);
        assertEquals(0, c.exitCode(), c.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("sampled with seed (-?\\d+)").matcher(c.err());
        assertTrue(m.find(), c.err());
        String[] again = java.util.Arrays.copyOf(unseeded, unseeded.length + 2);
        again[unseeded.length] = "--seed";
        again[unseeded.length + 1] = m.group(1);
        assertEquals(c.out(), Cli.run(again).out());
    }

    @Test
    void scoreTextFile() throws IOException {
        // tiny-b's text case: nll_sum 258.2300018455668 over its 24 tokens
        String text = "Hello, my dog's name is Max. He doesn't like the mailman, and I'm not sure why!";
        Path file = dir.resolve("text.txt");
        Files.writeString(file, text);
        Cli r = Cli.run("score", "--model", TINY_B, "--backend", "reference", "--file", file.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(258.2300018455668, r.number("nll_sum"), 258.23 * 1e-4);
        assertEquals(24, r.number("tokens"));
        assertEquals(258.2300018455668 / Math.log(2) / text.length(), r.number("bits_per_byte"), 1e-4);
    }

    @Test
    void bench() {
        Cli r = Cli.run("bench", "--model", TINY_A, "--backend", "reference", "--prompt-tokens", "8",
                "--new-tokens", "3", "--repetitions", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.number("prefill_tokens_per_s") > 0, r.out());
        assertTrue(r.number("decode_tokens_per_s") > 0, r.out());
        assertTrue(r.number("prefill_gflops_per_s") > 0, r.out());
        // the reference backend measures no limits: the bound is null, not a made-up number
        assertTrue(r.out().contains("\"read_bandwidth_gb_per_s\":null"), r.out());
        assertTrue(r.out().contains("\"decode_fraction_of_median_read\":null"), r.out());
        assertTrue(r.out().contains("\"cores\":"), r.out());
    }

}
