package dev.gpt2.core;

import dev.gpt2.api.Cancellation;
import dev.gpt2.api.ContextPolicy;
import dev.gpt2.api.DType;
import dev.gpt2.api.GeneratedToken;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.StopReason;
import dev.gpt2.api.spi.HostSampler;
import dev.gpt2.api.spi.TokenChoice;
import dev.gpt2.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generation: greedy continuations of the numpy cases, sampling, streaming, stops, cancellation, context, threads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationTest {
    private Gpt2Model tinyA;
    private Gpt2Model tinyB;

    @BeforeAll
    void load() {
        tinyA = Gpt2.load(Fixtures.model("tiny-a").toString(), Fixtures.reference());
        tinyB = Gpt2.load(Fixtures.model("tiny-b").toString(), Fixtures.reference());
    }

    @AfterAll
    void close() {
        tinyA.close();
        tinyB.close();
    }

    private static GenerationOptions greedy(int n) {
        return GenerationOptions.defaults().withMaxNewTokens(n).withStopAtEndOfText(false);
    }

    private static GenerationOptions sampled(int n, long seed) {
        return greedy(n).withSampling(Sampling.random(0.9, 50, 0.95)).withSeed(seed);
    }

    /** With the KV cache, as the numpy reference recomputes the whole sequence at every step. */
    @Test
    void aTinyTemperatureOrAnInfiniteLogitGivesTheLargestLogitsAllTheMass() {
        float[] logits = {0.5f, 2f, -1f, 1.9f};
        float inf = Float.POSITIVE_INFINITY;
        for (double u : new double[] {0, 0.25, 0.75, 0.999}) {
            // 1 / 1e-308 overflows: the weights were NaN and the least likely token came out
            assertEquals(1, HostSampler.choose(logits, new TokenChoice(1e-308, 0, 1, u)));
            assertEquals(1, HostSampler.choose(logits, new TokenChoice(Double.MIN_VALUE, 3, 0.9, u)));
            assertEquals(1, HostSampler.choose(new float[] {0, inf, 0}, new TokenChoice(1, 0, 1, u)));
            assertEquals(u < 0.5 ? 0 : 2, HostSampler.choose(new float[] {inf, 0, inf}, new TokenChoice(0.7, 0, 1, u)));
        }
    }

    @Test
    void greedyContinuationsMatchNumpy() {
        for (Gpt2Model model : List.of(tinyA, tinyB)) {
            for (Fixtures.Case c : Fixtures.cases(model == tinyA ? "tiny-a" : "tiny-b")) {
                if (c.minMargin() > 1e-3) {
                    Generation g = model.generate(GenerationRequest.of(c.prompt(), greedy(c.continuation().length)));
                    assertArrayEquals(c.continuation(), g.ids(), "greedy from " + c.prompt().length + " tokens");
                    assertEquals(StopReason.MAX_TOKENS, g.stopReason());
                    assertEquals(c.prompt().length, g.timings().prefillTokens());
                    assertEquals(c.continuation().length - 1, g.timings().decodeTokens());
                }
            }
        }
    }

    /** The reported log-probabilities are those scoring gives the prompt plus the generated tokens. */
    @Test
    void tokenLogProbsEqualScoring() {
        int[] prompt = Fixtures.cases("tiny-a").get(2).prompt();
        for (GenerationOptions options : List.of(greedy(8), sampled(8, 42))) {
            Generation g = tinyA.generate(GenerationRequest.of(prompt, options.withTokenLogProbs(true)));
            assertEquals(0, tinyA.generate(GenerationRequest.of(prompt, options)).tokenLogProbs().length);
            int[] all = Arrays.copyOf(prompt, prompt.length + g.ids().length);
            System.arraycopy(g.ids(), 0, all, prompt.length, g.ids().length);
            double[] scored = tinyA.score(all, ScoreOptions.defaults().withTokenLogProbs(true)).tokenLogProbs();
            double[] expected = Arrays.copyOfRange(scored, prompt.length, all.length);
            assertArrayEquals(expected, g.tokenLogProbs(), 1e-9, "log-probabilities of " + options.sampling());
        }
    }

    @Test
    void textPromptAndStreaming() {
        Fixtures.Case c = Fixtures.cases("tiny-b").stream().filter(x -> x.text() != null).findFirst().orElseThrow();
        assertArrayEquals(c.ids(), tinyB.encode(c.text()));
        assertEquals(c.nllSum(), tinyB.score(c.text(), ScoreOptions.defaults()).nllSum(), 1e-4 * c.nllSum());
        List<GeneratedToken> streamed = new ArrayList<>();
        Generation g = tinyB.generate(new GenerationRequest(c.prompt(), greedy(20), streamed::add, new Cancellation()));
        assertArrayEquals(c.continuation(), g.ids());
        assertEquals(tinyB.decode(g.ids()), g.text());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < streamed.size(); i++) {
            assertEquals(i, streamed.get(i).index());
            assertEquals(g.ids()[i], streamed.get(i).id());
            joined.append(streamed.get(i).text());
        }
        assertEquals(g.text(), joined.toString());
    }

    @Test
    void stopStrings() {
        int[] prompt = Fixtures.cases("tiny-b").get(2).prompt();
        Generation full = tinyB.generate(GenerationRequest.of(prompt, greedy(20)));
        String text = full.text();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        int at = text.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        Generation g = tinyB.generate(new GenerationRequest(prompt, greedy(20).withStopStrings(List.of("\u0000", stop)),
                t -> streamed.append(t.text()), new Cancellation()));
        assertEquals(StopReason.STOP_STRING, g.stopReason());
        assertEquals(text.substring(0, at), g.text());
        assertEquals(g.text(), streamed.toString());
        assertTrue(g.ids().length < 20 && tinyB.decode(g.ids()).contains(stop), "the ids keep the token that stopped it");
        assertArrayEquals(Arrays.copyOf(full.ids(), g.ids().length), g.ids());
    }

    @Test
    void seededSamplingRepeats() {
        int[] prompt = {464, 3290, 318};
        Generation a = tinyB.generate(GenerationRequest.of(prompt, sampled(12, 42)));
        Generation b = tinyB.generate(GenerationRequest.of(prompt, sampled(12, 42)));
        Generation other = tinyB.generate(GenerationRequest.of(prompt, sampled(12, 43)));
        assertArrayEquals(a.ids(), b.ids());
        assertEquals(42, a.seed());
        assertNotEquals(Arrays.toString(a.ids()), Arrays.toString(other.ids()));
        // without a seed one is picked, reported, and reproduces the generation
        Generation picked = tinyB.generate(GenerationRequest.of(prompt, greedy(12).withSampling(Sampling.random(0.9, 50,
                0.95))));
        assertArrayEquals(picked.ids(), tinyB.generate(GenerationRequest.of(prompt, sampled(12, picked.seed()))).ids());
    }

    @Test
    void batchEqualsAlone() {
        List<GenerationRequest> requests = List.of(
                GenerationRequest.of(new int[] {1, 2, 3, 4, 5, 6, 7}, greedy(6)),
                GenerationRequest.of(new int[] {900}, sampled(9, 7)),
                GenerationRequest.of(Fixtures.cases("tiny-a").get(3).prompt(), sampled(4, 8)),
                GenerationRequest.of(new int[] {5, 5}, greedy(1)));
        List<Generation> batch = tinyA.generateBatch(requests);
        for (int i = 0; i < requests.size(); i++) {
            Generation alone = tinyA.generate(requests.get(i));
            assertArrayEquals(alone.ids(), batch.get(i).ids(), "request " + i);
            assertEquals(alone.text(), batch.get(i).text());
        }
        assertEquals(List.of(), tinyA.generateBatch(List.of()));
    }

    @Test
    void concurrentCallsFromSeveralThreads() throws Exception {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(GenerationRequest.of(new int[] {i + 1, 2 * i + 7, 3}, sampled(8, i)));
        }
        List<int[]> expected = requests.stream().map(r -> tinyA.generate(r).ids()).toList();
        double nll = tinyA.score(Fixtures.cases("tiny-a").get(3).ids(), ScoreOptions.defaults()).nllSum();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<int[]>> generations = new ArrayList<>();
            List<Future<Double>> scores = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (GenerationRequest r : requests) {
                    generations.add(pool.submit(() -> tinyA.generate(r).ids()));
                }
                scores.add(pool.submit(() -> tinyA.score(Fixtures.cases("tiny-a").get(3).ids(),
                        ScoreOptions.defaults()).nllSum()));
            }
            for (int i = 0; i < generations.size(); i++) {
                assertArrayEquals(expected.get(i % requests.size()), generations.get(i).get());
            }
            for (Future<Double> s : scores) {
                assertEquals(nll, s.get());
            }
        }
    }

    @Test
    void cancellation() {
        Cancellation cancel = new Cancellation();
        Generation g = tinyA.generate(new GenerationRequest(new int[] {1, 2}, greedy(50), t -> {
            if (t.index() == 2) {
                cancel.cancel();
            }
        }, cancel));
        assertEquals(StopReason.CANCELLED, g.stopReason());
        assertEquals(4, g.ids().length, "stops at the token after the one being streamed when it was asked");
        Thread.currentThread().interrupt();
        try {
            Generation none = tinyA.generate(GenerationRequest.of(new int[] {1, 2}, greedy(5)));
            assertEquals(StopReason.CANCELLED, none.stopReason());
            assertEquals(0, none.ids().length);
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt stays set for the caller");
        }
    }

    @Test
    void contextOverflowFailsUpFront() {
        int[] prompt = new int[120];
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> tinyA.generate(GenerationRequest.of(prompt, greedy(9))));
        assertEquals(Gpt2Exception.Kind.CONTEXT_OVERFLOW, e.kind());
        assertTrue(e.getMessage().contains("120 tokens") && e.getMessage().contains("128"), e.getMessage());
        assertEquals(8, tinyA.generate(GenerationRequest.of(prompt, greedy(8))).ids().length);
    }

    /** SLIDE: when the context is full, the last n_positions / 2 tokens are recomputed and generation goes on. */
    @Test
    void slidingContext() {
        int n = tinyA.config().nPositions();
        int[] prompt = new java.util.SplittableRandom(3).ints(120, 0, 1000).toArray();
        Generation g = tinyA.generate(GenerationRequest.of(prompt, greedy(80).withContextPolicy(ContextPolicy.SLIDE)));
        assertEquals(80, g.ids().length);
        int[] tokens = Arrays.copyOf(prompt, prompt.length + 80);
        int length = prompt.length;
        int windowStart = 0;
        for (int i = 0; i < 80; i++) {
            if (length - windowStart > n) {
                windowStart = length - n / 2;
            }
            int next = HostSampler.argmax(tinyA.nextTokenLogits(Arrays.copyOfRange(tokens, windowStart, length)));
            assertEquals(next, g.ids()[i], "token " + i);
            tokens[length++] = next;
        }
        // a prompt longer than the context keeps its last half context
        int[] longPrompt = new java.util.SplittableRandom(4).ints(300, 0, 1000).toArray();
        Generation fromLong = tinyA.generate(GenerationRequest.of(longPrompt, greedy(3).withContextPolicy(
                ContextPolicy.SLIDE)));
        int[] kept = Arrays.copyOfRange(longPrompt, 300 - n / 2, 300);
        assertArrayEquals(tinyA.generate(GenerationRequest.of(kept, greedy(3))).ids(), fromLong.ids());
        assertEquals(n / 2, fromLong.timings().prefillTokens());
    }

    /** A model whose every next token is <|endoftext|>: ln_f outputs its bias, and wte's last row is that bias. */
    @Test
    void endOfText(@TempDir Path dir) {
        ModelConfig c = new ModelConfig(1, 16, 2, 16, 50257, 64, 1e-5f);
        List<TestCheckpoints.Weight> weights = new ArrayList<>(TestCheckpoints.weights(c, 9));
        float[] bias = weights.getLast().values();
        float[] wte = weights.getFirst().values();
        for (int i = 0; i < 16; i++) {
            bias[i] = i % 2 == 0 ? 0.25f : -0.25f;
            wte[Gpt2Tokenizer.END_OF_TEXT * 16 + i] = 4 * bias[i];
        }
        Arrays.fill(weights.get(weights.size() - 2).values(), 0f);   // ln_f.weight
        Path folder = TestCheckpoints.folder(dir.resolve("eos"), c, weights, DType.F32, "");
        try (Gpt2Model m = Gpt2.load(folder.toString(), Fixtures.reference())) {
            Generation g = m.generate(GenerationRequest.of(new int[] {464, 3290}, GenerationOptions.defaults().withMaxNewTokens(5)));
            assertEquals(StopReason.END_OF_TEXT, g.stopReason());
            assertArrayEquals(new int[] {Gpt2Tokenizer.END_OF_TEXT}, g.ids());
            assertEquals("", g.text());
            Generation on = m.generate(GenerationRequest.of(new int[] {464}, greedy(2)));
            assertEquals("<|endoftext|><|endoftext|>", on.text());
            assertEquals(StopReason.MAX_TOKENS, on.stopReason());
        }
    }
}
