package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the conformance suite leaves out, against the reference backend and {@link HostSampler}: 16-bit embeddings,
 * attention across several 64-row tiles and split-K chunks with GPT-2's head size, device sampling over a large
 * vocabulary, CUDA graph replay of repeated decode steps, and the device limits. Run on the GPU
 * ({@link CudaKernelsTest}) and on the CPU emulator ({@link EmulatedKernelsTest}); skipped, with the probe's reason,
 * where the backend is unavailable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KernelChecks {
    private Probe probe;
    private Backend cuda;
    private Backend ref;
    private final Random random = new Random(42);

    /** The provider of the backend under test. */
    protected abstract BackendProvider provider();

    /** The vocabulary of the sampling checks. */
    protected int vocabulary() {
        return 50257;
    }

    /** The backend under test; open only while it is available. */
    protected Backend backend() {
        return cuda;
    }

    @BeforeAll
    void open() {
        probe = provider().probe();
        if (probe.available()) {
            cuda = provider().open(new BackendConfig(0));
            ref = new ReferenceBackend();
        }
    }

    @BeforeEach
    void needsTheBackend() {
        assumeTrue(probe.available(), () -> provider().name() + " is unavailable: " + probe.reason());
    }

    @AfterAll
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private float[] randoms(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * scale);
        }
        return x;
    }

    private static WeightView view(String name, int rows, int cols, float[] values) {
        return new WeightView(name, DType.F32, rows, cols, MemorySegment.ofArray(values));
    }

    /** The same weight in both backends. */
    private record Pair(Tensor cuda, Tensor ref) {
    }

    private Pair weight(String name, int rows, int cols, float[] values, WeightRole role, DType dtype) {
        WeightView v = view(name, rows, cols, values);
        return new Pair(cuda.upload(v, role, dtype), ref.upload(v, role, dtype));
    }

    private Pair activation(int rows, int cols, float[] values) {
        Pair p = new Pair(cuda.allocate(rows, cols), ref.allocate(rows, cols));
        cuda.write(p.cuda, values);
        ref.write(p.ref, values);
        return p;
    }

    private static float[] read(Backend b, Tensor t, int rows) {
        float[] out = new float[rows * t.cols()];
        b.read(t, 0, rows, out);
        return out;
    }

    /** Asserts |cuda - ref| <= tolerance * max(1, max |ref|) and prints the largest difference. */
    private void assertClose(String what, Pair p, int rows, double tolerance) {
        float[] got = read(cuda, p.cuda, rows);
        float[] want = read(ref, p.ref, rows);
        double scale = 1;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        System.out.printf("%-48s max |diff| %.3g (scale %.3g)%n", what, worst, scale);
        assertTrue(worst <= tolerance * scale, what + ": element " + at + " is " + (at < 0 ? "?" : got[at])
                + ", the reference says " + (at < 0 ? "?" : want[at]) + " (max |diff| " + worst + ")");
    }

    // ---- tests ---------------------------------------------------------------------------------------------------

    @Test
    void embeddingsHeldAs16BitAndLayerNorm() {
        int v = 300;
        int c = 96;
        int n = 40;
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            Pair wte = weight("wte", v, c, randoms(v * c, 0.5), WeightRole.TOKEN_EMBEDDING, dtype);
            Pair wpe = weight("wpe", n, c, randoms(n * c, 0.1), WeightRole.POSITION_EMBEDDING, dtype);
            Pair g = weight("ln.w", 1, c, randoms(c, 1), WeightRole.VECTOR, dtype);
            Pair b = weight("ln.b", 1, c, randoms(c, 1), WeightRole.VECTOR, dtype);
            int[] ids = {0, 299, 7, 7, 150};
            int[] pos = {0, 1, 2, 39, 20};
            Pair x = new Pair(cuda.allocate(5, c), ref.allocate(5, c));
            cuda.embed(x.cuda, wte.cuda, wpe.cuda, ids, pos);
            ref.embed(x.ref, wte.ref, wpe.ref, ids, pos);
            assertClose("embed " + dtype, x, 5, 1e-6);
            cuda.layerNorm(x.cuda, x.cuda, 5, g.cuda, b.cuda, 1e-5f);
            ref.layerNorm(x.ref, x.ref, 5, g.ref, b.ref, 1e-5f);
            assertClose("layer norm in place " + dtype, x, 5, 1e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> cuda.embed(cuda.allocate(1, 8),
                cuda.upload(view("e", 4, 8, new float[32]), WeightRole.TOKEN_EMBEDDING, DType.F32),
                cuda.upload(view("p", 4, 8, new float[32]), WeightRole.POSITION_EMBEDDING, DType.F32),
                new int[] {4}, new int[] {0}));
    }

    @Test
    void attentionPrefillDecodeAndRaggedBatches() {
        for (int[] shape : new int[][] {{4, 16}, {3, 64}, {2, 24}}) {
            int heads = shape[0];
            int hd = shape[1];
            int c = heads * hd;
            int layers = 2;
            int capacity = 200;
            Pair qkvBig = activation(150, 3 * c, randoms(150 * 3 * c, 1));
            KvCache k1 = cuda.allocateCache(layers, heads, hd, capacity);
            KvCache r1 = ref.allocateCache(layers, heads, hd, capacity);
            Pair out = activation(150, c, new float[150 * c]);
            // prefill of 130 rows (flash kernel), then the same cache decoding one row (split kernel)
            cuda.attention(out.cuda, qkvBig.cuda, 1, AttentionBatch.single(k1, 130, 0));
            ref.attention(out.ref, qkvBig.ref, 1, AttentionBatch.single(r1, 130, 0));
            assertClose("attention prefill 130, " + heads + " x " + hd, out, 130, 1e-4);
            Pair qkv1 = activation(1, 3 * c, randoms(3 * c, 1));
            Pair out1 = activation(1, c, new float[c]);
            cuda.attention(out1.cuda, qkv1.cuda, 1, AttentionBatch.single(k1, 1, 130));
            ref.attention(out1.ref, qkv1.ref, 1, AttentionBatch.single(r1, 1, 130));
            assertClose("attention decode at 130, " + heads + " x " + hd, out1, 1, 1e-4);
            // a ragged batch: a fresh prompt of 70 rows, a continuation of 3 rows, a decode row
            KvCache k2 = cuda.allocateCache(layers, heads, hd, capacity);
            KvCache r2 = ref.allocateCache(layers, heads, hd, capacity);
            KvCache k3 = cuda.allocateCache(layers, heads, hd, 100);
            KvCache r3 = ref.allocateCache(layers, heads, hd, 100);
            cuda.copyCache(k3, k1, 90);
            ref.copyCache(r3, r1, 90);
            AttentionBatch cb = new AttentionBatch(List.of(new AttentionBatch.Slice(k2, 0, 70, 0),
                    new AttentionBatch.Slice(k1, 70, 3, 131), new AttentionBatch.Slice(k3, 73, 1, 90)));
            AttentionBatch rb = new AttentionBatch(List.of(new AttentionBatch.Slice(r2, 0, 70, 0),
                    new AttentionBatch.Slice(r1, 70, 3, 131), new AttentionBatch.Slice(r3, 73, 1, 90)));
            cuda.attention(out.cuda, qkvBig.cuda, 1, cb);
            ref.attention(out.ref, qkvBig.ref, 1, rb);
            assertClose("attention ragged batch, " + heads + " x " + hd, out, 74, 1e-4);
            // a batch of decode rows only (split kernel, several sequences)
            AttentionBatch cd = new AttentionBatch(List.of(new AttentionBatch.Slice(k2, 0, 1, 70),
                    new AttentionBatch.Slice(k3, 1, 2, 91)));
            AttentionBatch rd = new AttentionBatch(List.of(new AttentionBatch.Slice(r2, 0, 1, 70),
                    new AttentionBatch.Slice(r3, 1, 2, 91)));
            cuda.attention(out.cuda, qkvBig.cuda, 1, cd);
            ref.attention(out.ref, qkvBig.ref, 1, rd);
            assertClose("attention decode batch, " + heads + " x " + hd, out, 3, 1e-4);
        }
    }

    @Test
    void deviceSamplingChoosesExactlyWhatHostSamplerChooses() {
        int v = vocabulary();
        int rows = 4;
        List<TokenChoice> cases = new ArrayList<>();
        cases.add(TokenChoice.GREEDY);
        double[][] settings = {{1, 0, 1}, {0.8, 40, 1}, {1, 0, 0.9}, {1.3, 50, 0.95}, {0.5, 1, 1}, {1, 100000, 0.5},
                {2, 5, 0.01}, {1, 0, 0.999999}};
        for (double[] s : settings) {
            for (double u : new double[] {0, 0.3, 0.5, 0.77, 0.999999}) {
                cases.add(new TokenChoice(s[0], (int) s[1], s[2], u));
            }
        }
        for (int trial = 0; trial < 3; trial++) {
            float[] logits = randoms(rows * v, trial == 0 ? 1 : 4);
            if (trial == 1) {
                for (int i = 0; i < v; i += 7) {
                    logits[i] = logits[1];                  // many ties
                }
                logits[v + 5] = Float.NaN;
                logits[2 * v + 9] = Float.NEGATIVE_INFINITY;
            }
            if (trial == 2) {
                for (int i = 0; i < rows * v; i++) {
                    logits[i] = Math.round(logits[i]);      // heavy ties at integer values
                }
            }
            Tensor t = cuda.allocate(rows, v);
            cuda.write(t, logits);
            for (int from = 0; from < cases.size(); from += rows) {
                TokenChoice[] batch = new TokenChoice[rows];
                for (int r = 0; r < rows; r++) {
                    batch[r] = cases.get(Math.min(from + r, cases.size() - 1));
                }
                int[] got = cuda.chooseTokens(t, batch);
                for (int r = 0; r < rows; r++) {
                    float[] row = java.util.Arrays.copyOfRange(logits, r * v, (r + 1) * v);
                    assertEquals(HostSampler.choose(row, batch[r]), got[r], "trial " + trial + ", row " + r + ", "
                            + batch[r]);
                }
            }
            t.close();
        }
        Tensor nan = cuda.allocate(1, 10);
        float[] all = new float[10];
        java.util.Arrays.fill(all, Float.NaN);
        cuda.write(nan, all);
        assertThrows(dev.gpt2.api.Gpt2Exception.class, () -> cuda.chooseTokens(nan, new TokenChoice[] {TokenChoice.GREEDY}));
    }

    @Test
    void tokenLogProbsMatchTheHostInDouble() {
        int v = vocabulary();
        float[] logits = randoms(3 * v, 3);
        Tensor t = cuda.allocate(3, v);
        cuda.write(t, logits);
        int[] targets = {0, v - 1, v / 3};
        double[] got = new double[3];
        cuda.tokenLogProbs(t, targets, got);
        for (int r = 0; r < 3; r++) {
            double want = HostSampler.logSoftmaxAt(java.util.Arrays.copyOfRange(logits, r * v, (r + 1) * v),
                    targets[r]);
            assertEquals(want, got[r], 1e-9 * Math.max(1, Math.abs(want)), "row " + r);
        }
    }

    /**
     * Decode steps shaped like GPT-2's (embed, layer norm, matmul, attention, final layer norm, logits, token
     * choice): repeated, they are sent as CUDA graphs, and each layer norm of one row is applied by the matmul or
     * logits that reads it; the numbers, the layer norms' own outputs included, stay the reference's.
     */
    @Test
    void repeatedDecodeStepsAsGraphsWithFusedLayerNormsGiveTheReferenceNumbers() {
        int c = 64;
        int heads = 4;
        int hd = 16;
        int v = 500;
        for (DType dtype : List.of(DType.F32, DType.BF16)) {
            Pair wte = weight("wte", v, c, randoms(v * c, 0.5), WeightRole.TOKEN_EMBEDDING, dtype);
            Pair wpe = weight("wpe", 64, c, randoms(64 * c, 0.1), WeightRole.POSITION_EMBEDDING, dtype);
            Pair g = weight("g", 1, c, randoms(c, 1), WeightRole.VECTOR, dtype);
            Pair b = weight("b", 1, c, randoms(c, 1), WeightRole.VECTOR, dtype);
            Pair w = weight("w", c, 3 * c, randoms(c * 3 * c, 0.2), WeightRole.MATMUL, dtype);
            Pair wb = weight("wb", 1, 3 * c, randoms(3 * c, 0.1), WeightRole.VECTOR, dtype);
            KvCache kc = cuda.allocateCache(1, heads, hd, 64);
            KvCache rc = ref.allocateCache(1, heads, hd, 64);
            Pair x = new Pair(cuda.allocate(1, c), ref.allocate(1, c));
            Pair ln = new Pair(cuda.allocate(1, c), ref.allocate(1, c));
            Pair qkv = new Pair(cuda.allocate(1, 3 * c), ref.allocate(1, 3 * c));
            Pair att = new Pair(cuda.allocate(1, c), ref.allocate(1, c));
            Pair lnf = new Pair(cuda.allocate(1, c), ref.allocate(1, c));
            Pair logits = new Pair(cuda.allocate(1, v), ref.allocate(1, v));
            int token = 1;
            for (int step = 0; step < 8; step++) {
                for (Backend be : List.of(cuda, ref)) {
                    boolean isCuda = be == cuda;
                    be.embed(pick(x, isCuda), pick(wte, isCuda), pick(wpe, isCuda), new int[] {token},
                            new int[] {step});
                    be.layerNorm(pick(ln, isCuda), pick(x, isCuda), 1, pick(g, isCuda), pick(b, isCuda), 1e-5f);
                    be.matmul(pick(qkv, isCuda), pick(ln, isCuda), 1, pick(w, isCuda), pick(wb, isCuda),
                            Epilogue.STORE);
                    be.attention(pick(att, isCuda), pick(qkv, isCuda), 0,
                            AttentionBatch.single(isCuda ? kc : rc, 1, step));
                    be.layerNorm(pick(lnf, isCuda), pick(att, isCuda), 1, pick(g, isCuda), pick(b, isCuda), 1e-5f);
                    be.logits(pick(logits, isCuda), pick(lnf, isCuda), new int[] {0}, pick(wte, isCuda));
                }
                int chosen = cuda.chooseTokens(logits.cuda, new TokenChoice[] {TokenChoice.GREEDY})[0];
                String what = dtype + " step " + step + " ";
                assertClose(what + "logits", logits, 1, 1e-4);
                assertClose(what + "ln (applied by the matmul)", ln, 1, 1e-5);
                assertClose(what + "lnf (applied by the logits)", lnf, 1, 1e-5);
                assertEquals(HostSampler.argmax(read(ref, logits.ref, 1)), chosen, what);
                token = chosen;
            }
        }
        String state = cuda.describe().get("CUDA graphs");
        assertTrue(state.matches("on, [1-9][0-9]* steps sent as graphs by this thread"), state);
    }

    private static Tensor pick(Pair p, boolean cudaSide) {
        return cudaSide ? p.cuda : p.ref;
    }

    @Test
    void q8IsRefusedWithTheDtypesItHolds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.upload(view("w", 2, 2, new float[4]), WeightRole.MATMUL, DType.Q8_0));
        assertTrue(e.getMessage().contains("f32, f16 or bf16"), e.getMessage());
    }
}
