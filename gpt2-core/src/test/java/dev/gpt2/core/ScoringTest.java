package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scoring: sliding windows against a brute-force computation, batches against single sequences. */
class ScoringTest {
    private static final ModelConfig C = TestCheckpoints.SMALL;   // 32 positions

    @TempDir
    static Path dir;
    private static Gpt2Model model;

    @BeforeAll
    static void load() {
        Path folder = TestCheckpoints.folder(dir.resolve("m"), C, TestCheckpoints.weights(C, 11), DType.F32, "");
        model = Gpt2.load(folder.toString(), Fixtures.reference());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int[] randomIds(int n, long seed) {
        return new SplittableRandom(seed).ints(n, 0, C.vocabSize()).toArray();
    }

    private static double logSoftmaxAt(float[] logits, int target) {
        return dev.gpt2.api.spi.HostSampler.logSoftmaxAt(logits, target);
    }

    @Test
    void windowsFollowTheHuggingFaceGuide() {
        // 10 tokens, windows of 4, stride 2: [0,4) scores 1..3, [2,6) scores 4..5, [4,8) 6..7, [6,10) 8..9
        assertEquals(List.of(new Scorer.Window(0, 4, 1), new Scorer.Window(2, 6, 4), new Scorer.Window(4, 8, 6),
                new Scorer.Window(6, 10, 8)), Scorer.windows(10, 4, 2));
        // stride 3: [0,4) 1..3, [3,7) 4..6, [6,10) 7..9
        assertEquals(List.of(new Scorer.Window(0, 4, 1), new Scorer.Window(3, 7, 4), new Scorer.Window(6, 10, 7)),
                Scorer.windows(10, 4, 3));
        assertEquals(List.of(new Scorer.Window(0, 3, 1)), Scorer.windows(3, 4, 2));
        assertEquals(List.of(), Scorer.windows(1, 4, 2));
        // every token t >= 1 is scored exactly once, with at least one token of context, for any stride
        for (int stride = 1; stride < 8; stride++) {
            int[] seen = new int[50];
            for (Scorer.Window w : Scorer.windows(50, 8, stride)) {
                assertTrue(w.first() > w.begin() && w.end() - w.begin() <= 8);
                for (int t = w.first(); t < w.end(); t++) {
                    seen[t]++;
                }
            }
            for (int t = 1; t < 50; t++) {
                assertEquals(1, seen[t], "token " + t + " with stride " + stride);
            }
        }
    }

    /** Each token t scored with the first window whose end passes it, recomputed from scratch without a cache. */
    @Test
    void slidingWindowEqualsBruteForce() {
        int[] ids = randomIds(90, 1);
        for (int stride : new int[] {16, 9, 31}) {
            Score score = model.score(ids, ScoreOptions.defaults().withStride(stride).withTokenLogProbs(true));
            double[] lp = score.tokenLogProbs();
            assertEquals(90, score.tokens());
            assertEquals(89, score.scoredTokens());
            assertTrue(Double.isNaN(lp[0]));
            double nll = 0;
            for (Scorer.Window w : Scorer.windows(ids.length, C.nPositions(), stride)) {
                for (int t = w.first(); t < w.end(); t++) {
                    double expected = logSoftmaxAt(model.nextTokenLogits(Arrays.copyOfRange(ids, w.begin(), t)), ids[t]);
                    assertEquals(expected, lp[t], 1e-5, "token " + t + ", stride " + stride);
                    nll -= lp[t];
                }
            }
            assertEquals(nll, score.nllSum(), 1e-9);
            assertEquals(Math.exp(nll / 89), score.perplexity(), 1e-9);
        }
    }

    @Test
    void batchEqualsAlone() {
        List<int[]> sequences = new ArrayList<>();
        for (int n : new int[] {1, 2, 7, 32, 33, 70, 5}) {
            sequences.add(randomIds(n, n));
        }
        ScoreOptions options = ScoreOptions.defaults().withTokenLogProbs(true);
        List<Score> batch = model.scoreBatch(sequences, options);
        for (int i = 0; i < sequences.size(); i++) {
            Score alone = model.score(sequences.get(i), options);
            assertEquals(alone.nllSum(), batch.get(i).nllSum(), 0, "sequence " + i);
            assertArrayEquals(alone.tokenLogProbs(), batch.get(i).tokenLogProbs(), 0);
        }
        assertEquals(0, batch.getFirst().nllSum());
        assertTrue(Double.isNaN(batch.getFirst().perplexity()));
        assertEquals(0, model.score(sequences.get(2), ScoreOptions.defaults()).tokenLogProbs().length);
    }

    @Test
    void badStride() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> model.score(randomIds(40, 2), ScoreOptions.defaults().withStride(32)));
        assertTrue(e.getMessage().contains("stride 32 must be below the context length 32"), e.getMessage());
        assertThrows(Gpt2Exception.class, () -> model.score(new int[0], ScoreOptions.defaults()));
    }
}
