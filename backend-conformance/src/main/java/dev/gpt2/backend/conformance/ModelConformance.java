package dev.gpt2.backend.conformance;

import dev.gpt2.api.DType;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.ModelInfo;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.HostSampler;
import dev.gpt2.core.Gpt2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The model conformance suite: every reference checkpoint of {@code testdata/models} (see its README) loaded through
 * gpt2-core on the backend under test, selected by name, in every weight dtype the backend advertises
 * ({@code Probe.weightTypes()}), checked against the numbers of an independent numpy GPT-2 ({@code cases.json}) and
 * against the backend's own full recomputation.
 *
 * <p><b>Use.</b> A backend module depends on {@code backend-conformance} at test scope and subclasses this class with
 * one small class that names the backend:
 * <pre>{@code
 * class VectorModelConformanceTest extends ModelConformance {
 *     protected String backend() { return "vector"; }
 * }
 * }</pre>
 * A backend that may be missing here (a GPU) overrides {@link #skipWhenUnavailable} and is skipped with its probe's
 * reason; any other backend that is unavailable fails the suite.
 *
 * <p><b>The checks.</b> Each is a parameterized test over (weight dtype, checkpoint) that runs the cases of the
 * checkpoint (all of them unless said otherwise); a dtype the backend does not advertise is skipped, saying so. Every
 * backend must advertise F32 ({@code advertisesF32Weights}), so every check runs on every available backend.
 * <ul>
 *   <li>{@code nllSum}: {@code score(ids)} against {@code nll_sum}.
 *   <li>{@code lastLogits}: {@code nextTokenLogits(ids)} against {@code last_logits}.
 *   <li>{@code greedyContinuation}: 20 greedy tokens generated with the KV cache (one prefill of the prompt, then 19
 *       decode steps, which the timings must show) against numpy's, which recomputes the whole sequence each step;
 *       for the cases whose {@code min_margin} exceeds the dtype's greedy margin (below).
 *   <li>{@code decodeEqualsRecomputation}: 20 greedy tokens generated with the KV cache from each case's prompt
 *       (the longest reach the last position of the context); the first 4 and the last are each checked against the
 *       argmax of the backend's own full recomputation of the sequence so far ({@code nextTokenLogits}). With
 *       {@link Capability#BATCH_INVARIANT} the logits are the same bits, so every token must agree; without it a
 *       token may differ only at a near tie, where the recomputed logit of the cache's token is within
 *       {@link #NEAR_TIE} of the top one. The log-probabilities the generation reports for its tokens (one row per
 *       decode step) must equal those of scoring the whole sequence (prefill rows): the same bits with
 *       {@code BATCH_INVARIANT}, else within the batch tolerance.
 *   <li>{@code raggedBatchEqualsAlone}: {@code scoreBatch} of the cases of at most half a context (the scoring of
 *       the longer ones costs most and {@code nllSum} covers it) against {@code score} of each alone (every
 *       log-probability the same bits with {@code BATCH_INVARIANT}, else within {@link #BATCH_LOG_PROB_TOLERANCE}
 *       {@code * (1 + |x|)}), and {@code generateBatch} of every case's prompt, greedy and seeded sampling in turn,
 *       against {@code generate} of each alone (the same tokens; without {@code BATCH_INVARIANT} a greedy token may
 *       differ at a near tie).
 *   <li>{@code seededSamplingRepeats}: for the cases of at most half a context, sampling (temperature 0.9, top-k
 *       40, top-p 0.95) with one seed gives the same tokens twice and reports the seed, another seed gives other
 *       tokens, and the first 4 sampled tokens are among the 40 most probable of a full recomputation (within a
 *       near tie).
 * </ul>
 *
 * <p><b>Tolerances against numpy.</b> They depend on whether holding the weights changed them: weights held as
 * stored, or as F32 (F16 and BF16 widen exactly), are <em>exact</em>; otherwise they are rounded.
 * <table>
 *   <caption>tolerances by how the weights are held</caption>
 *   <tr><th>weights</th><th>nll_sum, relative: {@code |diff| <= tol * max(1, |nll_sum|)}</th>
 *       <th>last logits, absolute</th><th>greedy tokens equal where {@code min_margin >}</th></tr>
 *   <tr><td>exact</td><td>1e-4</td><td>1e-3</td><td>1e-3</td></tr>
 *   <tr><td>rounded to f16</td><td>2.5e-4</td><td>1e-2</td><td>2e-2</td></tr>
 *   <tr><td>rounded to bf16</td><td>1e-3</td><td>0.1</td><td>0.2</td></tr>
 *   <tr><td>quantized to q8</td><td>1e-2</td><td>0.25</td><td>0.5</td></tr>
 * </table>
 * Exact weights follow {@code testdata/models/README.md} (numpy in plain fp32 is off by 1.1e-6 on the logits and
 * 5e-8 relative on nll_sum; a wrong index or a dropped term is off by order 1). Rounded weights change the model
 * itself: on the reference backend (double accumulation, so only the rounding counts) the largest differences over
 * every case are, nll_sum relative and logits absolute: f16 6.6e-5 and 1.9e-3, bf16 2.8e-4 and 2.3e-2, q8 2.3e-3 and
 * 7.9e-2; the tolerances leave a factor of about 3 to 5. A greedy token can flip only where two logits are within twice
 * the logit tolerance, hence the greedy margins of rounded weights; where no case qualifies that check is skipped and
 * {@code decodeEqualsRecomputation} still checks the dtype's greedy decoding against the backend itself.
 *
 * <p><b>Failure messages</b> name the backend, the checkpoint, the case, the weight dtype, what was compared and the
 * largest difference, one line per failing case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ModelConformance {
    /**
     * Without {@link Capability#BATCH_INVARIANT}, two ways of computing the same logits may choose different greedy
     * tokens only where the logits of the two tokens are this close (F32 rounding moves them by about 1e-6).
     */
    public static final double NEAR_TIE = 1e-3;
    /**
     * Without {@link Capability#BATCH_INVARIANT}: how far a log-probability scored in a batch may be from the same one
     * scored alone, per 1 + |x| (OpenBLAS: at most 1.0e-7).
     */
    public static final double BATCH_LOG_PROB_TOLERANCE = 1e-5;

    private static final int TOP_K = 40;
    private static final Sampling SAMPLING = Sampling.random(0.9, TOP_K, 0.95);
    private static final long SEED = 42;
    /** How many decode steps of each case, besides the last, are checked against a full recomputation. */
    private static final int DECODE_STEPS = 4;
    /** How many sampled tokens of each case are checked against the top-k of a full recomputation. */
    private static final int TOP_K_STEPS = 4;
    /** How many failing cases a failure message lists. */
    private static final int LISTED = 12;

    private BackendStatus status;
    /** Why every check is skipped, when the backend is unavailable here and may be; else null. */
    private String unavailable;
    private List<Fixture> fixtures;
    private final Map<String, Subject> loaded = new LinkedHashMap<>();

    /** The name of the backend under test, as users select it ({@code vector}, {@code openblas}, {@code cuda}). */
    protected abstract String backend();

    /** How failure messages name the backend under test; by default {@link #backend()}. */
    protected String label() {
        return backend();
    }

    /**
     * Whether the suite is skipped, with the probe's reason, when the backend is unavailable here (a GPU backend on a
     * machine without a GPU). False by default: a CPU backend runs everywhere, so its being unavailable fails.
     */
    protected boolean skipWhenUnavailable() {
        return false;
    }

    /** How each model is loaded: by default this backend, weights held as {@code dtype}, default threads. */
    protected LoadOptions loadOptions(DType dtype) {
        return LoadOptions.defaults().withBackend(backend()).withDType(dtype);
    }

    @BeforeAll
    final void findBackend() {
        List<BackendStatus> found = BackendRegistry.discover();
        status = found.stream().filter(s -> s.name().equals(backend())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no backend '" + backend() + "' on the module path; "
                        + BackendRegistry.listing(found)));
        if (!status.available()) {
            unavailable = label() + " is unavailable here: " + status.probe().reason();
            if (!skipWhenUnavailable()) {
                fail(unavailable + " (only a backend that overrides skipWhenUnavailable() may be missing)");
            }
        }
        fixtures = Fixture.all();
    }

    @AfterAll
    final void closeModels() {
        loaded.values().forEach(s -> s.model().close());
        loaded.clear();
    }

    /** Every weight dtype with every checkpoint: the parameters of each check. */
    final Stream<Arguments> dtypesAndCheckpoints() {
        return Arrays.stream(DType.values()).flatMap(d -> fixtures.stream().map(f -> Arguments.of(d, f.name())));
    }

    // ---- the checks -------------------------------------------------------------------------------------------------

    @Test
    void advertisesF32Weights() {
        assumeTrue(unavailable == null, unavailable);
        assertTrue(status.probe().weightTypes().contains(DType.F32), () -> label() + " must hold f32 weights, so that"
                + " every model check runs; it advertises " + status.probe().weightTypes());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void nllSum(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        List<String> failures = new ArrayList<>();
        for (Fixture.Case c : s.fixture().cases()) {
            double got = s.model().score(c.ids(), ScoreOptions.defaults()).nllSum();
            double diff = Math.abs(got - c.nllSum());
            double allowed = s.tolerance().nllRelative() * Math.max(1, Math.abs(c.nllSum()));
            if (!(diff <= allowed)) {
                failures.add(s.where(c) + ": nll_sum " + got + ", numpy " + c.nllSum() + ": |diff| " + g(diff)
                        + " > allowed " + g(allowed) + " (" + s.tolerance() + ")");
            }
        }
        assertNone(failures);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void lastLogits(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        List<String> failures = new ArrayList<>();
        for (Fixture.Case c : s.fixture().cases()) {
            float[] got = s.model().nextTokenLogits(c.ids());
            if (got.length != c.lastLogits().length) {
                failures.add(s.where(c) + ": " + got.length + " logits, numpy has " + c.lastLogits().length);
                continue;
            }
            int worst = 0;
            for (int i = 1; i < got.length; i++) {
                if (!(Math.abs(got[i] - c.lastLogits()[i]) <= Math.abs(got[worst] - c.lastLogits()[worst]))) {
                    worst = i;
                }
            }
            double diff = Math.abs(got[worst] - c.lastLogits()[worst]);
            if (!(diff <= s.tolerance().logitsAbsolute())) {
                failures.add(s.where(c) + ": last-position logits: max |diff| " + g(diff) + " at id " + worst
                        + " (got " + got[worst] + ", numpy " + c.lastLogits()[worst] + ") > allowed "
                        + g(s.tolerance().logitsAbsolute()) + " (" + s.tolerance() + ")");
            }
        }
        assertNone(failures);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void greedyContinuation(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        double margin = s.tolerance().greedyMargin();
        List<Fixture.Case> eligible = s.fixture().cases().stream().filter(c -> c.minMargin() > margin).toList();
        assumeFalse(eligible.isEmpty(), () -> label() + ": " + checkpoint + " weights " + dtype + ": no case's numpy"
                + " greedy min_margin exceeds " + margin + ", twice the logit tolerance of weights "
                + s.tolerance().weights() + ", so numpy's tokens need not be reproduced (decodeEqualsRecomputation"
                + " checks this dtype's greedy decoding against the backend itself)");
        List<String> failures = new ArrayList<>();
        for (Fixture.Case c : eligible) {
            int n = c.continuation().length;
            Generation got = s.model().generate(GenerationRequest.of(c.prompt(), greedy(n)));
            int at = Arrays.mismatch(got.ids(), c.continuation());
            if (at >= 0) {
                failures.add(s.where(c) + ": greedy from " + c.prompt().length + " prompt tokens differs from numpy"
                        + " at token " + at + " (min_margin " + g(c.minMargin()) + "): got "
                        + Arrays.toString(got.ids()) + ", numpy " + Arrays.toString(c.continuation()));
            }
            Generation.Timings t = got.timings();
            if (t.prefillTokens() != c.prompt().length || t.decodeTokens() != n - 1) {
                failures.add(s.where(c) + ": greedy from " + c.prompt().length + " prompt tokens should prefill the"
                        + " prompt once and decode " + (n - 1) + " steps against the KV cache; the timings count "
                        + t.prefillTokens() + " prefill and " + t.decodeTokens() + " decode tokens");
            }
        }
        assertNone(failures);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void decodeEqualsRecomputation(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        boolean bitwise = batchInvariant();
        List<String> failures = new ArrayList<>();
        for (Fixture.Case c : s.fixture().cases()) {
            int[] prompt = c.prompt();
            Generation generation = s.model().generate(GenerationRequest.of(prompt,
                    greedy(c.continuation().length).withTokenLogProbs(true)));
            int[] cached = generation.ids();
            int[] sequence = concat(prompt, cached);
            double[] scored = s.model().score(sequence, ScoreOptions.defaults().withTokenLogProbs(true))
                    .tokenLogProbs();
            double[] decoded = new double[sequence.length];
            decoded[0] = Double.NaN;
            System.arraycopy(scored, 1, decoded, 1, prompt.length - 1);
            System.arraycopy(generation.tokenLogProbs(), 0, decoded, prompt.length, cached.length);
            String differs = compareLogProbs(decoded, scored, bitwise);
            if (differs != null) {
                failures.add(s.where(c) + ": log-probabilities of the tokens generated with the KV cache vs scoring"
                        + " the whole sequence: " + differs);
            }
            for (int i = 0; i < cached.length; i++) {
                if (i >= DECODE_STEPS && i < cached.length - 1) {
                    continue;
                }
                float[] full = s.model().nextTokenLogits(Arrays.copyOf(sequence, prompt.length + i));
                int top = HostSampler.argmax(full);
                double gap = full[top] - full[cached[i]];
                if (top != cached[i] && (bitwise || gap > NEAR_TIE)) {
                    failures.add(s.where(c) + ": greedy step " + i + " after " + prompt.length + " prompt tokens:"
                            + " the KV cache chose " + cached[i] + ", a full recomputation " + top + ", whose logit"
                            + " is higher by " + g(gap) + (bitwise ? " (BATCH_INVARIANT: the logits must be the same"
                            + " bits)" : " > " + NEAR_TIE + " (a near tie)"));
                }
            }
        }
        assertNone(failures);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void raggedBatchEqualsAlone(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        boolean bitwise = batchInvariant();
        List<Fixture.Case> cases = s.fixture().cases();
        List<String> failures = new ArrayList<>();
        ScoreOptions withLogProbs = ScoreOptions.defaults().withTokenLogProbs(true);
        List<Fixture.Case> scored = s.shortCases();
        List<Score> together = s.model().scoreBatch(scored.stream().map(Fixture.Case::ids).toList(), withLogProbs);
        for (int i = 0; i < scored.size(); i++) {
            Fixture.Case c = scored.get(i);
            double[] batched = together.get(i).tokenLogProbs();
            double[] alone = s.model().score(c.ids(), withLogProbs).tokenLogProbs();
            String differs = compareLogProbs(batched, alone, bitwise);
            if (differs != null) {
                failures.add(s.where(c) + ": token log-probabilities scored in a ragged batch of " + scored.size()
                        + " sequences vs alone: " + differs);
            }
        }
        List<GenerationRequest> requests = new ArrayList<>();
        for (Fixture.Case c : cases) {
            int n = c.continuation().length;
            requests.add(GenerationRequest.of(c.prompt(), c.index() % 2 == 0 ? greedy(n)
                    : greedy(n).withSampling(SAMPLING).withSeed(SEED + c.index())));
        }
        List<Generation> generated = s.model().generateBatch(requests);
        for (int i = 0; i < cases.size(); i++) {
            GenerationRequest r = requests.get(i);
            int[] batched = generated.get(i).ids();
            int[] alone = s.model().generate(r).ids();
            int at = Arrays.mismatch(batched, alone);
            if (at < 0) {
                continue;
            }
            boolean sampled = r.options().sampling() instanceof Sampling.Random;
            if (!bitwise && !sampled && at < Math.min(batched.length, alone.length)) {
                float[] full = s.model().nextTokenLogits(concat(r.promptIds(), Arrays.copyOf(alone, at)));
                if (Math.abs(full[batched[at]] - full[alone[at]]) <= NEAR_TIE) {
                    continue;
                }
            }
            failures.add(s.where(cases.get(i)) + ": " + (sampled ? "seeded sampling" : "greedy") + " from "
                    + r.promptIds().length + " prompt tokens in a ragged batch of " + cases.size() + " generations"
                    + " differs from alone at token " + at + ": batch " + Arrays.toString(batched) + ", alone "
                    + Arrays.toString(alone));
        }
        assertNone(failures);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndCheckpoints")
    void seededSamplingRepeats(DType dtype, String checkpoint) {
        Subject s = subject(dtype, checkpoint);
        List<String> failures = new ArrayList<>();
        for (Fixture.Case c : s.shortCases()) {
            GenerationOptions options = greedy(c.continuation().length).withSampling(SAMPLING);
            Generation first = s.model().generate(GenerationRequest.of(c.prompt(), options.withSeed(SEED)));
            int[] again = s.model().generate(GenerationRequest.of(c.prompt(), options.withSeed(SEED))).ids();
            int[] other = s.model().generate(GenerationRequest.of(c.prompt(), options.withSeed(SEED + 1))).ids();
            String from = s.where(c) + ": sampling " + SAMPLING + " from " + c.prompt().length + " prompt tokens";
            if (!Arrays.equals(first.ids(), again)) {
                failures.add(from + " with seed " + SEED + " gave " + Arrays.toString(first.ids()) + ", then "
                        + Arrays.toString(again));
            }
            if (first.seed() != SEED) {
                failures.add(from + ": the result reports seed " + first.seed() + ", it was given " + SEED);
            }
            if (Arrays.equals(first.ids(), other)) {
                failures.add(from + ": seeds " + SEED + " and " + (SEED + 1) + " both gave "
                        + Arrays.toString(other));
            }
            int[] sequence = concat(c.prompt(), first.ids());
            for (int i = 0; i < Math.min(TOP_K_STEPS, first.ids().length); i++) {
                float[] full = s.model().nextTokenLogits(Arrays.copyOf(sequence, c.prompt().length + i));
                int token = first.ids()[i];
                int above = 0;
                for (float x : full) {
                    above += x > full[token] + NEAR_TIE ? 1 : 0;
                }
                if (above >= TOP_K) {
                    failures.add(from + ": token " + i + " (" + token + ", logit " + full[token] + ") is not among"
                            + " the " + TOP_K + " most probable of a full recomputation: " + above + " logits are"
                            + " higher by more than " + NEAR_TIE);
                }
            }
        }
        assertNone(failures);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /**
     * How far a model's numbers may be from numpy's; see the class documentation.
     *
     * @param weights        how the weights are held, for messages
     * @param nllRelative    nll_sum: |diff| &le; nllRelative * max(1, |nll_sum|)
     * @param logitsAbsolute last-position logits: max |diff|
     * @param greedyMargin   numpy's greedy tokens must be reproduced where min_margin exceeds this
     */
    record Tolerance(String weights, double nllRelative, double logitsAbsolute, double greedyMargin) {

        /** The tolerance of weights stored as {@code stored} and held as {@code held}. */
        static Tolerance of(DType held, DType stored) {
            if (held == stored || held == DType.F32) {
                return new Tolerance("exact (" + held + ")", 1e-4, 1e-3, 1e-3);
            }
            return switch (held) {
                case F16 -> new Tolerance("rounded to f16", 2.5e-4, 1e-2, 2e-2);
                case BF16 -> new Tolerance("rounded to bf16", 1e-3, 0.1, 0.2);
                case Q8_0 -> new Tolerance("quantized to q8", 1e-2, 0.25, 0.5);
                case F32 -> throw new IllegalStateException("F32 weights are exact");
            };
        }

        @Override
        public String toString() {
            return "weights " + weights + ": nll_sum within " + nllRelative + " relative, logits within "
                    + logitsAbsolute;
        }
    }

    /** A checkpoint loaded on the backend under test with one weight dtype. */
    private record Subject(String label, Fixture fixture, DType dtype, LanguageModel model, Tolerance tolerance) {
        /** "vector: tiny-b case 4 (256 tokens) weights bf16". */
        String where(Fixture.Case c) {
            return label + ": " + fixture.name() + " " + c.describe() + " weights " + dtype;
        }

        /** The cases of at most half a context: the checks that need no long sequence run these, for speed. */
        List<Fixture.Case> shortCases() {
            int half = model.config().nPositions() / 2;
            return fixture.cases().stream().filter(c -> c.ids().length <= half).toList();
        }
    }

    /**
     * The checkpoint loaded with weights held as {@code dtype}; skips, saying why, when the backend is unavailable or
     * does not advertise the dtype.
     */
    private Subject subject(DType dtype, String checkpoint) {
        assumeTrue(unavailable == null, unavailable);
        assumeTrue(status.probe().weightTypes().contains(dtype), () -> label() + " does not advertise weights held"
                + " as " + dtype + " (it holds " + status.probe().weightTypes() + ")");
        String key = dtype + " " + checkpoint;
        Subject s = loaded.get(key);
        if (s == null) {
            Fixture fixture = fixtures.stream().filter(f -> f.name().equals(checkpoint)).findFirst().orElseThrow();
            LanguageModel model = Gpt2.load(fixture.folder().toString(), loadOptions(dtype));
            s = new Subject(label(), fixture, dtype, model, Tolerance.of(dtype, model.info().storedDType()));
            loaded.put(key, s);
        }
        ModelInfo info = s.model().info();
        if (!info.backend().equals(backend()) || info.dtype() != dtype) {
            fail(label() + ": " + checkpoint + ", asked for on " + backend() + " with weights " + dtype
                    + ", was loaded on " + info.backend() + " with weights " + info.dtype());
        }
        return s;
    }

    private boolean batchInvariant() {
        return status.probe().capabilities().contains(Capability.BATCH_INVARIANT);
    }

    /** Null when equal (bitwise, or within the batch tolerance), else what differs. */
    private static String compareLogProbs(double[] batched, double[] alone, boolean bitwise) {
        if (batched.length != alone.length) {
            return batched.length + " log-probabilities vs " + alone.length;
        }
        int differ = 0;
        int first = -1;
        double maxDiff = 0;
        for (int t = 1; t < alone.length; t++) {
            double d = Math.abs(batched[t] - alone[t]);
            boolean same = bitwise ? Double.doubleToLongBits(batched[t]) == Double.doubleToLongBits(alone[t])
                    : d <= BATCH_LOG_PROB_TOLERANCE * (1 + Math.abs(alone[t]));
            if (!same) {
                differ++;
                first = first < 0 ? t : first;
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
            }
        }
        if (differ == 0) {
            return null;
        }
        return differ + " of " + (alone.length - 1) + " differ" + (bitwise ? " in their bits (BATCH_INVARIANT)"
                : " by more than " + BATCH_LOG_PROB_TOLERANCE + " * (1 + |x|)") + ", max |diff| " + g(maxDiff)
                + "; first at position " + first + ": " + batched[first] + " vs " + alone[first];
    }

    private static GenerationOptions greedy(int n) {
        return GenerationOptions.defaults().withMaxNewTokens(n).withStopAtEndOfText(false);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static String g(double x) {
        return String.format("%.3g", x);
    }

    /** Fails listing the first {@value #LISTED} failures, one per line, and how many more there are. */
    private static void assertNone(List<String> failures) {
        if (!failures.isEmpty()) {
            String more = failures.size() > LISTED ? "\n... and " + (failures.size() - LISTED) + " more" : "";
            fail(failures.size() + (failures.size() == 1 ? " failure:\n" : " failures:\n")
                    + String.join("\n", failures.subList(0, Math.min(LISTED, failures.size()))) + more);
        }
    }
}
