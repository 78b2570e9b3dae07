package dev.gpt2.backend.conformance;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.HostSampler;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.api.spi.Probe;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.TokenChoice;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;
import dev.gpt2.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel conformance suite: every kernel of a backend against the {@link ReferenceBackend} (double-precision
 * accumulation) over awkward shapes — sizes that are not multiples of any vector width, 1 row and 1024 rows, a
 * context of 1 and of 1024 positions, ragged batches, every epilogue, every weight dtype the backend advertises.
 *
 * <p><b>Use.</b> A backend module depends on {@code backend-conformance} at test scope and subclasses this class with
 * one small class that says which provider to test:
 * <pre>{@code
 * class VectorConformanceTest extends KernelConformance {
 *     protected BackendProvider provider() { return named("vector"); }
 * }
 * }</pre>
 * Override {@link #open} to test a variant of the backend (another vector width, say) and {@link #label} to name it.
 *
 * <p><b>Tolerances.</b> Each value must satisfy {@code |got - ref| <= TOLERANCE * sqrt(n) * (1 + |ref|)} with
 * {@link #TOLERANCE} = 1e-5 and n the number of terms it sums: K for a matmul, C for logits and layer norm, headDim
 * + positions for attention, 1 for embeddings. F32 rounding of a sum of n terms grows like sqrt(n) ulps, so this
 * leaves room for any summation order while a wrong index or a dropped term (an error of order 1) fails. Weights held
 * as F16, BF16 or Q8_0 are rounded by the reference exactly as {@code WeightFormats} says, so the same tolerance
 * applies. Log-probabilities: {@code 1e-6 * (1 + |ref|)}; token choices: equal.
 *
 * <p><b>Batch invariance.</b> When the backend advertises {@link Capability#BATCH_INVARIANT}, rows computed together
 * must equal rows computed one at a time, bit for bit, and so must results at different thread counts; otherwise
 * those tests are skipped, saying why. Likewise for weight dtypes the backend does not advertise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KernelConformance {
    /** Tolerance per square root of reduction length, relative and absolute; see the class documentation. */
    public static final double TOLERANCE = 1e-5;

    private Backend backend;
    private ReferenceBackend reference;
    private Probe probe;
    private final List<AutoCloseable> live = new ArrayList<>();

    /** The provider under test. */
    protected abstract BackendProvider provider();

    /** Opens the backend under test; by default {@code provider().open(config)}. */
    protected Backend open(BackendConfig config) {
        return provider().open(config);
    }

    /** How failure messages name the backend under test; by default the provider's name. */
    protected String label() {
        return provider().name();
    }

    /**
     * The provider called {@code name} among those {@link BackendRegistry#discover()} finds.
     *
     * @throws IllegalStateException listing what was found, if none is called that
     */
    public static BackendProvider named(String name) {
        List<BackendStatus> found = BackendRegistry.discover();
        return found.stream().filter(s -> s.name().equals(name)).findFirst().flatMap(BackendStatus::provider)
                .orElseThrow(() -> new IllegalStateException("no backend '" + name + "' on the module path; "
                        + BackendRegistry.listing(found)));
    }

    @BeforeAll
    final void openBackends() {
        probe = provider().probe();
        assumeTrue(probe.available(), () -> label() + " is unavailable here: " + probe.reason());
        backend = open(new BackendConfig(0));
        reference = new ReferenceBackend();
    }

    @AfterEach
    final void closeTensors() throws Exception {
        for (AutoCloseable c : live) {
            c.close();
        }
        live.clear();
    }

    @AfterAll
    final void closeBackends() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---- the cases --------------------------------------------------------------------------------------------------

    @Test
    void advertisesF32Weights() {
        assertTrue(probe.weightTypes().contains(DType.F32), label() + " must hold f32 weights; it advertises "
                + probe.weightTypes());
    }

    @Test
    void writeThenReadRoundTrips() {
        float[] values = Data.uniform(new SplittableRandom(1), 5 * 7, -1, 1);
        Tensor t = track(backend.allocate(6, 7));
        backend.write(t, values);
        float[] back = new float[3 * 7];
        backend.read(t, 1, 3, back);
        Check.bitwise(label() + ": write then read rows 1..3 of [6, 7]", back, Arrays.copyOfRange(values, 7, 28), 7);
    }

    static Stream<Arguments> embedShapes() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(1, 7), Arguments.of(5, 16), Arguments.of(9, 33),
                Arguments.of(64, 768));
    }

    @ParameterizedTest(name = "rows={0} C={1}")
    @MethodSource("embedShapes")
    void embed(int rows, int c) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + c);
        int vocab = 50;
        int positions = 40;
        Twin wte = weight("wte", Data.uniform(rnd, vocab * c, -1, 1), vocab, c, DType.F32, WeightRole.TOKEN_EMBEDDING,
                DType.F32);
        Twin wpe = weight("wpe", Data.uniform(rnd, positions * c, -1, 1), positions, c, DType.F32,
                WeightRole.POSITION_EMBEDDING, DType.F32);
        int[] ids = rnd.ints(rows, 0, vocab).toArray();
        int[] pos = rnd.ints(rows, 0, positions).toArray();
        Twin out = empty(rows, c);
        backend.embed(out.got, wte.got, wpe.got, ids, pos);
        reference.embed(out.ref, wte.ref, wpe.ref, ids, pos);
        compare(label() + ": embed rows=" + rows + " C=" + c, out, rows, 1);
    }

    @Test
    void embedRejectsIdsOutsideTheVocabulary() {
        Twin wte = weight("wte", new float[4 * 3], 4, 3, DType.F32, WeightRole.TOKEN_EMBEDDING, DType.F32);
        Twin wpe = weight("wpe", new float[4 * 3], 4, 3, DType.F32, WeightRole.POSITION_EMBEDDING, DType.F32);
        Tensor out = track(backend.allocate(1, 3));
        assertThrows(IllegalArgumentException.class,
                () -> backend.embed(out, wte.got, wpe.got, new int[] {4}, new int[] {0}),
                label() + ": embed of id 4 with a vocabulary of 4 must fail");
    }

    static Stream<Arguments> layerNormShapes() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(1, 5), Arguments.of(3, 17), Arguments.of(7, 64),
                Arguments.of(2, 771), Arguments.of(1024, 24));
    }

    @ParameterizedTest(name = "rows={0} C={1}")
    @MethodSource("layerNormShapes")
    void layerNorm(int rows, int c) {
        SplittableRandom rnd = new SplittableRandom(rows * 17L + c);
        Twin in = input(Data.uniform(rnd, rows * c, 1, 5), rows, c);
        Twin g = vector("ln.weight", Data.uniform(rnd, c, 0.5, 1.5));
        Twin b = vector("ln.bias", Data.uniform(rnd, c, -0.5, 0.5));
        Twin out = empty(rows, c);
        backend.layerNorm(out.got, in.got, rows, g.got, b.got, 1e-5f);
        reference.layerNorm(out.ref, in.ref, rows, g.ref, b.ref, 1e-5f);
        compare(label() + ": layerNorm rows=" + rows + " C=" + c, out, rows, c);
    }

    @Test
    void layerNormInPlace() {
        int rows = 3;
        int c = 45;
        SplittableRandom rnd = new SplittableRandom(3);
        Twin x = input(Data.uniform(rnd, rows * c, -2, 2), rows, c);
        Twin g = vector("ln.weight", Data.uniform(rnd, c, 0.5, 1.5));
        Twin b = vector("ln.bias", Data.uniform(rnd, c, -0.5, 0.5));
        backend.layerNorm(x.got, x.got, rows, g.got, b.got, 1e-5f);
        reference.layerNorm(x.ref, x.ref, rows, g.ref, b.ref, 1e-5f);
        compare(label() + ": layerNorm in place rows=" + rows + " C=" + c, x, rows, c);
    }

    static Stream<Arguments> matmulCases() {
        int[][] shapes = {{1, 1, 1}, {1, 7, 5}, {2, 17, 31}, {3, 64, 100}, {8, 40, 72}, {9, 33, 129}, {13, 100, 257},
                {1, 768, 77}, {64, 128, 96}, {1024, 16, 40}, {1030, 8, 20}};
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : shapes) {
            for (Epilogue e : Epilogue.values()) {
                cases.add(Arguments.of(s[0], s[1], s[2], e));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "rows={0} K={1} N={2} {3}")
    @MethodSource("matmulCases")
    void matmul(int rows, int k, int n, Epilogue epilogue) {
        checkMatmul(rows, k, n, epilogue, DType.F32, DType.F32);
    }

    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void matmulWithWeightsHeldAs(DType held) {
        assumeAdvertised(held);
        for (Epilogue e : Epilogue.values()) {
            checkMatmul(1, 96, 70, e, DType.F32, held);
            checkMatmul(21, 65, 50, e, DType.F32, held);
        }
    }

    @ParameterizedTest(name = "uploaded from {0}")
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void matmulWithWeightsUploadedFrom(DType source) {
        checkMatmul(3, 40, 33, Epilogue.STORE, source, DType.F32);
        checkMatmul(17, 40, 33, Epilogue.GELU, source, DType.F32);
    }

    @Test
    void matmulWithMisalignedWeightBytes() {
        SplittableRandom rnd = new SplittableRandom(8);
        int rows = 4;
        int k = 9;
        int n = 11;
        WeightView view = Data.view("w", Data.uniform(rnd, k * n, -1, 1), k, n, DType.F32, true);
        Twin w = new Twin(track(backend.upload(view, WeightRole.MATMUL, DType.F32)),
                reference.upload(view, WeightRole.MATMUL, DType.F32));
        Twin b = vector("b", Data.uniform(rnd, n, -1, 1));
        Twin x = input(Data.uniform(rnd, rows * k, -1, 1), rows, k);
        Twin out = empty(rows, n);
        backend.matmul(out.got, x.got, rows, w.got, b.got, Epilogue.STORE);
        reference.matmul(out.ref, x.ref, rows, w.ref, b.ref, Epilogue.STORE);
        compare(label() + ": matmul with weight bytes at an odd address rows=4 K=9 N=11", out, rows, k);
    }

    private void checkMatmul(int rows, int k, int n, Epilogue epilogue, DType source, DType held) {
        SplittableRandom rnd = new SplittableRandom(((long) rows * 131 + k) * 137 + n + epilogue.ordinal());
        Twin w = weight("w", Data.uniform(rnd, k * n, -1, 1), k, n, source, WeightRole.MATMUL, held);
        // a VECTOR weight is held as F32 whatever storeAs says
        Twin b = weight("b", Data.uniform(rnd, n, -1, 1), 1, n, DType.F32, WeightRole.VECTOR, held);
        Twin x = input(Data.uniform(rnd, rows * k, -1, 1), rows, k);
        Twin out = input(Data.uniform(rnd, rows * n, -1, 1), rows, n);
        backend.matmul(out.got, x.got, rows, w.got, b.got, epilogue);
        reference.matmul(out.ref, x.ref, rows, w.ref, b.ref, epilogue);
        compare(label() + ": matmul " + epilogue + " rows=" + rows + " K=" + k + " N=" + n + " weight " + held
                + (source == held ? "" : " (from " + source + ")"), out, rows, k);
    }

    static Stream<Arguments> logitsCases() {
        return Stream.of(Arguments.of(1, 1, new int[] {0}), Arguments.of(5, 7, new int[] {0}),
                Arguments.of(97, 33, new int[] {2, 0, 1, 2}), Arguments.of(1000, 17, new int[] {4}),
                Arguments.of(300, 64, rowsUpTo(1024)), Arguments.of(50, 768, rowsUpTo(6)));
    }

    private static int[] rowsUpTo(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> n - 1 - i);
        return r;
    }

    @ParameterizedTest(name = "V={0} C={1}")
    @MethodSource("logitsCases")
    void logits(int v, int c, int[] rows) {
        checkLogits(v, c, rows, DType.F32);
    }

    @ParameterizedTest(name = "held as {0}")
    @EnumSource(DType.class)
    void logitsWithEmbeddingHeldAs(DType held) {
        assumeAdvertised(held);
        checkLogits(77, 70, new int[] {1, 0}, held);
        checkLogits(40, 96, rowsUpTo(9), held);
    }

    private void checkLogits(int v, int c, int[] rows, DType held) {
        SplittableRandom rnd = new SplittableRandom(v * 7L + c);
        int hiddenRows = Arrays.stream(rows).max().orElse(0) + 1;
        Twin wte = weight("wte", Data.uniform(rnd, v * c, -1, 1), v, c, DType.F32, WeightRole.TOKEN_EMBEDDING, held);
        Twin h = input(Data.uniform(rnd, hiddenRows * c, -1, 1), hiddenRows, c);
        Twin out = empty(rows.length, v);
        backend.logits(out.got, h.got, rows, wte.got);
        reference.logits(out.ref, h.ref, rows, wte.ref);
        compare(label() + ": logits V=" + v + " C=" + c + " rows=" + rows.length + " wte " + held, out, rows.length,
                c);
    }

    @Test
    void attentionOfOneSequence() {
        Sequences s = new Sequences(1, 2, 2, 5, 40);
        SplittableRandom rnd = new SplittableRandom(11);
        s.step(1, new int[] {7}, rnd, "prefill of 7");
        for (int i = 0; i < 3; i++) {
            s.step(1, new int[] {1}, rnd, "decode at " + (7 + i));
        }
        s.step(1, new int[] {4}, rnd, "4 more rows after 10");
    }

    @Test
    void attentionOfARaggedBatch() {
        Sequences s = new Sequences(3, 1, 3, 16, 32);
        SplittableRandom rnd = new SplittableRandom(12);
        s.step(0, new int[] {5, 6, 2}, rnd, "prefill 5, 6, 2");
        s.step(0, new int[] {1, 0, 3}, rnd, "decode 1, none, 3");
        s.step(0, new int[] {1, 1, 1}, rnd, "decode 1, 1, 1");
    }

    static Stream<Arguments> headShapes() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(4, 3), Arguments.of(1, 17), Arguments.of(12, 64),
                Arguments.of(2, 80));
    }

    @ParameterizedTest(name = "heads={0} headDim={1}")
    @MethodSource("headShapes")
    void attentionHeadShapes(int heads, int headDim) {
        Sequences s = new Sequences(1, 1, heads, headDim, 40);
        SplittableRandom rnd = new SplittableRandom(heads * 100L + headDim);
        s.step(0, new int[] {19}, rnd, "prefill of 19");
        s.step(0, new int[] {1}, rnd, "decode at 19");
    }

    @Test
    void attentionWithAContextOfOne() {
        Sequences s = new Sequences(1, 1, 2, 8, 1);
        s.step(0, new int[] {1}, new SplittableRandom(13), "the only position");
    }

    @Test
    void attentionOverTheWholeContext() {
        Sequences s = new Sequences(1, 1, 2, 4, 1024);
        SplittableRandom rnd = new SplittableRandom(14);
        s.step(0, new int[] {1023}, rnd, "prefill of 1023");
        s.step(0, new int[] {1}, rnd, "decode at 1023, the last position");
    }

    @Test
    void copyCacheSharesAPrefix() {
        SplittableRandom rnd = new SplittableRandom(15);
        int heads = 2;
        int hd = 6;
        Sequences src = new Sequences(1, 2, heads, hd, 16);
        src.step(1, new int[] {6}, rnd, "prefill of 6 to copy");
        Sequences dst = new Sequences(1, 2, heads, hd, 24);
        backend.copyCache(dst.got[0], src.got[0], 4);
        reference.copyCache(dst.ref[0], src.ref[0], 4);
        dst.length[0] = 4;
        dst.step(1, new int[] {3}, rnd, "3 rows after a copied prefix of 4");
        dst.step(1, new int[] {1}, rnd, "decode at 7 after a copied prefix");
    }

    @Test
    void chooseTokensLikeTheHostSampler() {
        int v = 64;
        SplittableRandom rnd = new SplittableRandom(16);
        float[] values = Data.uniform(rnd, 4 * v, -3, 3);
        values[2 * v + 5] = 9f;
        values[2 * v + 40] = 9f;
        Tensor logits = track(backend.allocate(4, v));
        backend.write(logits, values);
        TokenChoice[] choices = {TokenChoice.GREEDY, new TokenChoice(0.8, 0, 1, 0.42), TokenChoice.GREEDY,
                new TokenChoice(1.3, 10, 0.8, 0.9)};
        int[] chosen = backend.chooseTokens(logits, choices);
        for (int i = 0; i < choices.length; i++) {
            int expected = HostSampler.choose(Arrays.copyOfRange(values, i * v, (i + 1) * v), choices[i]);
            assertEquals(expected, chosen[i], label() + ": chooseTokens row " + i + " with " + choices[i]);
        }
    }

    @Test
    void tokenLogProbsLikeTheHostSampler() {
        int v = 300;
        SplittableRandom rnd = new SplittableRandom(17);
        float[] values = Data.uniform(rnd, 3 * v, -8, 8);
        Tensor logits = track(backend.allocate(3, v));
        backend.write(logits, values);
        int[] targets = {0, 299, 123};
        double[] got = new double[3];
        backend.tokenLogProbs(logits, targets, got);
        for (int i = 0; i < targets.length; i++) {
            double ref = HostSampler.logSoftmaxAt(Arrays.copyOfRange(values, i * v, (i + 1) * v), targets[i]);
            assertTrue(Math.abs(got[i] - ref) <= 1e-6 * (1 + Math.abs(ref)), label() + ": tokenLogProbs row " + i
                    + " target " + targets[i] + ": got " + got[i] + ", reference " + ref);
        }
    }

    @Test
    void concurrentCallsGiveWhatSequentialCallsGive() throws Exception {
        int k = 64;
        int v = 120;
        int heads = 2;
        int hd = k / heads;
        SplittableRandom rnd = new SplittableRandom(24);
        WeightView w = Data.view("w", Data.uniform(rnd, k * 3 * k, -1, 1), k, 3 * k, DType.F32, false);
        WeightView b = Data.view("b", Data.uniform(rnd, 3 * k, -1, 1), 1, 3 * k, DType.F32, false);
        WeightView e = Data.view("wte", Data.uniform(rnd, v * k, -1, 1), v, k, DType.F32, false);
        Tensor wt = track(backend.upload(w, WeightRole.MATMUL, DType.F32));
        Tensor bt = track(backend.upload(b, WeightRole.VECTOR, DType.F32));
        Tensor et = track(backend.upload(e, WeightRole.TOKEN_EMBEDDING, DType.F32));
        int callers = 4;
        float[][] inputs = new float[callers][];
        for (int i = 0; i < callers; i++) {
            inputs[i] = Data.uniform(rnd, (1 + 5 * i) * k, -1, 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                float[] x = inputs[i];
                futures.add(pool.submit(() -> chain(x, k, v, heads, hd, wt, bt, et)));
            }
            for (int i = 0; i < callers; i++) {
                float[] concurrent = futures.get(i).get(2, TimeUnit.MINUTES);
                float[] sequential = chain(inputs[i], k, v, heads, hd, wt, bt, et);
                String what = label() + ": caller " + i + " of " + callers + " at once (" + (1 + 5 * i)
                        + " rows: matmul, attention, logits, 5 times) vs alone";
                if (probe.capabilities().contains(Capability.BATCH_INVARIANT)) {
                    Check.bitwise(what, concurrent, sequential, v);
                } else {
                    Check.close(what, concurrent, sequential, v, k, TOLERANCE);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A small forward pass, 5 times over: qkv = x . W + b, attention over a cache of its own, the output's logits;
     * returns the last logits.
     */
    private float[] chain(float[] x, int k, int v, int heads, int hd, Tensor w, Tensor b, Tensor wte) {
        int rows = x.length / k;
        int c = heads * hd;
        try (Tensor in = backend.allocate(rows, k);
             Tensor qkv = backend.allocate(rows, 3 * k);
             Tensor att = backend.allocate(rows, c);
             Tensor logits = backend.allocate(rows, v);
             KvCache cache = backend.allocateCache(1, heads, hd, 5 * rows)) {
            backend.write(in, x);
            int[] all = new int[rows];
            Arrays.setAll(all, i -> i);
            for (int step = 0; step < 5; step++) {
                backend.matmul(qkv, in, rows, w, b, Epilogue.GELU);
                backend.attention(att, qkv, 0, AttentionBatch.single(cache, rows, step * rows));
                backend.logits(logits, att, all, wte);
            }
            float[] result = new float[rows * v];
            backend.read(logits, 0, rows, result);
            return result;
        }
    }

    // ---- batch invariance -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Epilogue.class)
    void matmulRowsAreIndependentOfTheirBatch(Epilogue epilogue) {
        assumeBatchInvariant();
        int rows = 37;
        int k = 70;
        int n = 130;
        SplittableRandom rnd = new SplittableRandom(18);
        float[] w = Data.uniform(rnd, k * n, -1, 1);
        float[] b = Data.uniform(rnd, n, -1, 1);
        float[] x = Data.uniform(rnd, rows * k, -1, 1);
        float[] init = Data.uniform(rnd, rows * n, -1, 1);
        float[] together = matmulOn(backend, rows, k, n, w, b, x, init, epilogue);
        float[] apart = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            float[] one = matmulOn(backend, 1, k, n, w, b, Arrays.copyOfRange(x, r * k, (r + 1) * k),
                    Arrays.copyOfRange(init, r * n, (r + 1) * n), epilogue);
            System.arraycopy(one, 0, apart, r * n, n);
        }
        Check.bitwise(label() + ": matmul " + epilogue + " K=" + k + " N=" + n + ", 37 rows together vs one at a time"
                + " (BATCH_INVARIANT)", together, apart, n);
        float[] threes = new float[rows * n];
        for (int r = 0; r < rows; r += 3) {
            int m = Math.min(3, rows - r);
            float[] part = matmulOn(backend, m, k, n, w, b, Arrays.copyOfRange(x, r * k, (r + m) * k),
                    Arrays.copyOfRange(init, r * n, (r + m) * n), epilogue);
            System.arraycopy(part, 0, threes, r * n, m * n);
        }
        Check.bitwise(label() + ": matmul " + epilogue + " K=" + k + " N=" + n + ", 37 rows together vs 3 at a time"
                + " (BATCH_INVARIANT)", together, threes, n);
    }

    @Test
    void logitsRowsAreIndependentOfTheirBatch() {
        assumeBatchInvariant();
        int v = 203;
        int c = 45;
        int rows = 20;
        SplittableRandom rnd = new SplittableRandom(19);
        float[] wte = Data.uniform(rnd, v * c, -1, 1);
        float[] h = Data.uniform(rnd, rows * c, -1, 1);
        float[] together = logitsOn(backend, v, c, wte, h, rowsUpTo(rows));
        float[] apart = new float[rows * v];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(logitsOn(backend, v, c, wte, h, new int[] {rows - 1 - r}), 0, apart, r * v, v);
        }
        Check.bitwise(label() + ": logits V=" + v + " C=" + c + ", 20 rows together vs one at a time"
                + " (BATCH_INVARIANT)", together, apart, v);
    }

    @Test
    void layerNormRowsAreIndependentOfTheirBatch() {
        assumeBatchInvariant();
        int rows = 50;
        int c = 37;
        SplittableRandom rnd = new SplittableRandom(20);
        float[] x = Data.uniform(rnd, rows * c, -2, 3);
        float[] g = Data.uniform(rnd, c, 0.5, 1.5);
        float[] b = Data.uniform(rnd, c, -0.5, 0.5);
        float[] together = layerNormOn(backend, rows, c, x, g, b);
        float[] apart = new float[rows * c];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(layerNormOn(backend, 1, c, Arrays.copyOfRange(x, r * c, (r + 1) * c), g, b), 0, apart,
                    r * c, c);
        }
        Check.bitwise(label() + ": layerNorm C=" + c + ", 50 rows together vs one at a time (BATCH_INVARIANT)",
                together, apart, c);
    }

    @Test
    void attentionRowsAreIndependentOfTheirBatch() {
        assumeBatchInvariant();
        int heads = 3;
        int hd = 20;
        int c = heads * hd;
        int[][] steps = {{9, 4, 1}, {1, 1, 1}, {2, 0, 5}};
        SplittableRandom rnd = new SplittableRandom(21);
        KvCache[] together = new KvCache[3];
        KvCache[] alone = new KvCache[3];
        for (int i = 0; i < 3; i++) {
            together[i] = track(backend.allocateCache(1, heads, hd, 32));
            alone[i] = track(backend.allocateCache(1, heads, hd, 32));
        }
        int[] length = new int[3];
        for (int[] step : steps) {
            int rows = Arrays.stream(step).sum();
            float[] qkv = Data.uniform(rnd, rows * 3 * c, -2, 2);
            List<AttentionBatch.Slice> slices = new ArrayList<>();
            int first = 0;
            for (int i = 0; i < 3; i++) {
                if (step[i] > 0) {
                    slices.add(new AttentionBatch.Slice(together[i], first, step[i], length[i]));
                    first += step[i];
                }
            }
            float[] batched = attentionOn(qkv, rows, c, new AttentionBatch(slices));
            first = 0;
            for (int i = 0; i < 3; i++) {
                if (step[i] == 0) {
                    continue;
                }
                float[] own = Arrays.copyOfRange(qkv, first * 3 * c, (first + step[i]) * 3 * c);
                float[] single = attentionOn(own, step[i], c, AttentionBatch.single(alone[i], step[i], length[i]));
                Check.bitwise(label() + ": attention heads=" + heads + " headDim=" + hd + ", sequence " + i
                                + " in a batch " + Arrays.toString(step) + " vs alone (BATCH_INVARIANT)",
                        Arrays.copyOfRange(batched, first * c, (first + step[i]) * c), single, c);
                first += step[i];
                length[i] += step[i];
            }
        }
    }

    @Test
    void attentionDecodeEqualsPrefill() {
        assumeBatchInvariant();
        int heads = 2;
        int hd = 24;
        int c = heads * hd;
        int t = 30;
        float[] qkv = Data.uniform(new SplittableRandom(22), t * 3 * c, -2, 2);
        KvCache whole = track(backend.allocateCache(1, heads, hd, t));
        KvCache stepwise = track(backend.allocateCache(1, heads, hd, t));
        float[] prefill = attentionOn(qkv, t, c, AttentionBatch.single(whole, t, 0));
        float[] first = attentionOn(Arrays.copyOf(qkv, (t - 1) * 3 * c), t - 1, c,
                AttentionBatch.single(stepwise, t - 1, 0));
        float[] last = attentionOn(Arrays.copyOfRange(qkv, (t - 1) * 3 * c, t * 3 * c), 1, c,
                AttentionBatch.single(stepwise, 1, t - 1));
        float[] joined = Arrays.copyOf(first, t * c);
        System.arraycopy(last, 0, joined, (t - 1) * c, c);
        Check.bitwise(label() + ": attention of " + t + " positions, prefill vs prefill of " + (t - 1)
                + " then decode (BATCH_INVARIANT)", prefill, joined, c);
    }

    @Test
    void threadCountsGiveTheSameBits() {
        assumeBatchInvariant();
        assumeTrue(probe.capabilities().contains(Capability.MULTI_THREADED),
                () -> label() + " does not advertise MULTI_THREADED");
        SplittableRandom rnd = new SplittableRandom(23);
        int k = 96;
        int n = 200;
        int rows = 40;
        float[] w = Data.uniform(rnd, k * n, -1, 1);
        float[] b = Data.uniform(rnd, n, -1, 1);
        float[] x = Data.uniform(rnd, rows * k, -1, 1);
        float[] init = new float[rows * n];
        int v = 150;
        float[] wte = Data.uniform(rnd, v * k, -1, 1);
        float[] expectedMany = matmulOn(backend, rows, k, n, w, b, x, init, Epilogue.GELU);
        float[] expectedOne = matmulOn(backend, 1, k, n, w, b, x, init, Epilogue.GELU);
        float[] expectedLogits = logitsOn(backend, v, k, wte, x, rowsUpTo(rows));
        for (int threads : new int[] {1, 3}) {
            try (Backend other = open(new BackendConfig(threads))) {
                String what = label() + " with " + threads + " threads vs the default";
                Check.bitwise(what + ": matmul GELU rows=40 K=96 N=200", matmulOn(other, rows, k, n, w, b, x, init,
                        Epilogue.GELU), expectedMany, n);
                Check.bitwise(what + ": matmul GELU rows=1 K=96 N=200", matmulOn(other, 1, k, n, w, b, x, init,
                        Epilogue.GELU), expectedOne, n);
                Check.bitwise(what + ": logits V=150 C=96 rows=40", logitsOn(other, v, k, wte, x, rowsUpTo(rows)),
                        expectedLogits, v);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** A tensor in the backend under test and its twin in the reference. */
    private record Twin(Tensor got, Tensor ref) {
    }

    /**
     * Sequences with caches in both backends. Each {@link #step} runs one attention call over a ragged batch of new
     * rows (random q, k, v) in both, compares the outputs and advances the lengths.
     */
    private final class Sequences {
        final int heads;
        final int headDim;
        final int c;
        final KvCache[] got;
        final KvCache[] ref;
        final int[] length;

        Sequences(int count, int layers, int heads, int headDim, int capacity) {
            this.heads = heads;
            this.headDim = headDim;
            this.c = heads * headDim;
            this.got = new KvCache[count];
            this.ref = new KvCache[count];
            this.length = new int[count];
            for (int i = 0; i < count; i++) {
                got[i] = track(backend.allocateCache(layers, heads, headDim, capacity));
                ref[i] = reference.allocateCache(layers, heads, headDim, capacity);
            }
        }

        void step(int layer, int[] rows, SplittableRandom rnd, String what) {
            List<AttentionBatch.Slice> gotSlices = new ArrayList<>();
            List<AttentionBatch.Slice> refSlices = new ArrayList<>();
            int first = 0;
            int longest = 0;
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] > 0) {
                    gotSlices.add(new AttentionBatch.Slice(got[i], first, rows[i], length[i]));
                    refSlices.add(new AttentionBatch.Slice(ref[i], first, rows[i], length[i]));
                    first += rows[i];
                    length[i] += rows[i];
                    longest = Math.max(longest, length[i]);
                }
            }
            Twin qkv = input(Data.uniform(rnd, first * 3 * c, -2, 2), first, 3 * c);
            Twin out = empty(first, c);
            backend.attention(out.got, qkv.got, layer, new AttentionBatch(gotSlices));
            reference.attention(out.ref, qkv.ref, layer, new AttentionBatch(refSlices));
            compare(label() + ": attention heads=" + heads + " headDim=" + headDim + " layer " + layer + " batch "
                    + Arrays.toString(rows) + ": " + what, out, first, headDim + longest);
        }
    }

    private void assumeAdvertised(DType held) {
        assumeTrue(probe.weightTypes().contains(held), () -> label() + " does not advertise weights held as " + held
                + " (it holds " + probe.weightTypes() + ")");
    }

    private void assumeBatchInvariant() {
        assumeTrue(probe.capabilities().contains(Capability.BATCH_INVARIANT),
                () -> label() + " does not advertise BATCH_INVARIANT: its rows may differ in the last bits by batch");
    }

    private float[] matmulOn(Backend on, int rows, int k, int n, float[] w, float[] b, float[] x, float[] init,
                             Epilogue epilogue) {
        WeightView wv = Data.view("w", w, k, n, DType.F32, false);
        WeightView bv = Data.view("b", b, 1, n, DType.F32, false);
        try (Tensor wt = on.upload(wv, WeightRole.MATMUL, DType.F32);
             Tensor bt = on.upload(bv, WeightRole.VECTOR, DType.F32);
             Tensor xt = on.allocate(rows, k);
             Tensor out = on.allocate(rows, n)) {
            on.write(xt, Arrays.copyOf(x, rows * k));
            on.write(out, Arrays.copyOf(init, rows * n));
            on.matmul(out, xt, rows, wt, bt, epilogue);
            float[] result = new float[rows * n];
            on.read(out, 0, rows, result);
            return result;
        }
    }

    private float[] logitsOn(Backend on, int v, int c, float[] wte, float[] h, int[] rows) {
        int hiddenRows = h.length / c;
        WeightView view = Data.view("wte", wte, v, c, DType.F32, false);
        try (Tensor e = on.upload(view, WeightRole.TOKEN_EMBEDDING, DType.F32);
             Tensor ht = on.allocate(hiddenRows, c);
             Tensor out = on.allocate(rows.length, v)) {
            on.write(ht, h);
            on.logits(out, ht, rows, e);
            float[] result = new float[rows.length * v];
            on.read(out, 0, rows.length, result);
            return result;
        }
    }

    private float[] layerNormOn(Backend on, int rows, int c, float[] x, float[] g, float[] b) {
        try (Tensor gt = on.upload(Data.view("g", g, 1, c, DType.F32, false), WeightRole.VECTOR, DType.F32);
             Tensor bt = on.upload(Data.view("b", b, 1, c, DType.F32, false), WeightRole.VECTOR, DType.F32);
             Tensor xt = on.allocate(rows, c);
             Tensor out = on.allocate(rows, c)) {
            on.write(xt, x);
            on.layerNorm(out, xt, rows, gt, bt, 1e-5f);
            float[] result = new float[rows * c];
            on.read(out, 0, rows, result);
            return result;
        }
    }

    private float[] attentionOn(float[] qkv, int rows, int c, AttentionBatch batch) {
        try (Tensor in = backend.allocate(rows, 3 * c);
             Tensor out = backend.allocate(rows, c)) {
            backend.write(in, qkv);
            backend.attention(out, in, 0, batch);
            float[] result = new float[rows * c];
            backend.read(out, 0, rows, result);
            return result;
        }
    }

    private Twin weight(String name, float[] values, int rows, int cols, DType source, WeightRole role, DType held) {
        WeightView view = Data.view(name, values, rows, cols, source, false);
        return new Twin(track(backend.upload(view, role, held)), reference.upload(view, role, held));
    }

    private Twin vector(String name, float[] values) {
        return weight(name, values, 1, values.length, DType.F32, WeightRole.VECTOR, DType.F32);
    }

    private Twin input(float[] values, int rows, int cols) {
        Twin t = empty(rows, cols);
        backend.write(t.got, values);
        reference.write(t.ref, values);
        return t;
    }

    private Twin empty(int rows, int cols) {
        return new Twin(track(backend.allocate(rows, cols)), reference.allocate(rows, cols));
    }

    private <T extends AutoCloseable> T track(T resource) {
        live.add(resource);
        return resource;
    }

    private void compare(String what, Twin t, int rows, int reduction) {
        int cols = t.got.cols();
        float[] got = new float[rows * cols];
        float[] ref = new float[rows * cols];
        backend.read(t.got, 0, rows, got);
        reference.read(t.ref, 0, rows, ref);
        Check.close(what, got, ref, cols, reduction, TOLERANCE);
    }
}
