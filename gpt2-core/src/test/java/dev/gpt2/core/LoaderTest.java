package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every checkpoint format gives the same model: F32, F16, BF16, with and without the transformer. prefix, a tied
 * lm_head, shards, a bare .safetensors file, llm.c's fp32 and bf16 files, a file larger than 4 GB.
 */
class LoaderTest {
    private static final ModelConfig C = TestCheckpoints.SMALL;
    private static final List<TestCheckpoints.Weight> WEIGHTS = TestCheckpoints.weights(C, 42);
    private static final int[] IDS = {5, 299, 17, 0, 42, 42, 7, 150, 3, 88, 120, 1};

    @TempDir
    static Path dir;
    private static double expectedNll;
    private static float[] expectedLogits;

    @BeforeAll
    static void baseline() {
        Path f32 = TestCheckpoints.folder(dir.resolve("f32"), C, WEIGHTS, DType.F32, "");
        try (Gpt2Model m = Gpt2.load(f32.toString(), Fixtures.reference())) {
            expectedNll = m.score(IDS, ScoreOptions.defaults()).nllSum();
            expectedLogits = m.nextTokenLogits(IDS);
            assertEquals(DType.F32, m.info().storedDType());
            assertEquals(C, m.config());
        }
        assertTrue(expectedNll > 1, "a real score: " + expectedNll);
    }

    private static void assertSameModel(Path model, DType stored) {
        try (Gpt2Model m = Gpt2.load(model.toString(), Fixtures.reference())) {
            assertEquals(stored, m.info().storedDType());
            assertEquals(stored, m.info().dtype(), "the reference backend holds every dtype as stored");
            assertEquals(C, m.config());
            assertEquals(expectedNll, m.score(IDS, ScoreOptions.defaults()).nllSum(), 1e-9);
            assertArrayEquals(expectedLogits, m.nextTokenLogits(IDS), 1e-5f);
        }
    }

    @Test
    void f16WithPrefixAndTiedHead() {
        Path folder = TestCheckpoints.folder(dir.resolve("f16"), C, WEIGHTS, DType.F16, "transformer.");
        TestCheckpoints.Safetensors s = TestCheckpoints.safetensors(WEIGHTS, DType.F16, "transformer.");
        Map<String, Object> header = new LinkedHashMap<>(s.header());
        // a tied lm_head (a copy of wte) and causal-mask buffers, which the loader ignores
        byte[] head = TestCheckpoints.bytes(WEIGHTS.getFirst().values(), DType.F16);
        byte[] mask = new byte[C.nPositions() * C.nPositions()];
        byte[] data = java.util.Arrays.copyOf(s.data(), s.data().length + head.length + mask.length);
        System.arraycopy(head, 0, data, s.data().length, head.length);
        header.put("lm_head.weight", TestCheckpoints.tensor("F16", new long[] {C.vocabSize(), C.nEmbd()},
                s.data().length, s.data().length + head.length));
        header.put("transformer.h.0.attn.bias", TestCheckpoints.tensor("BOOL",
                new long[] {1, 1, C.nPositions(), C.nPositions()}, s.data().length + head.length, data.length));
        TestCheckpoints.write(folder.resolve("model.safetensors"), header, data, 0);
        assertSameModel(folder, DType.F16);
    }

    @Test
    void bf16BareFile() {
        Path folder = TestCheckpoints.folder(dir.resolve("bf16"), C, WEIGHTS, DType.BF16, "");
        assertSameModel(folder.resolve("model.safetensors"), DType.BF16);
    }

    @Test
    void shards() throws Exception {
        Path folder = dir.resolve("shards");
        Files.createDirectories(folder);
        TestCheckpoints.writeConfig(folder, C);
        int half = WEIGHTS.size() / 2;
        Map<String, Object> weightMap = new LinkedHashMap<>();
        List<List<TestCheckpoints.Weight>> parts = List.of(WEIGHTS.subList(0, half), WEIGHTS.subList(half, WEIGHTS.size()));
        for (int i = 0; i < 2; i++) {
            String name = "model-0000" + (i + 1) + "-of-00002.safetensors";
            TestCheckpoints.write(folder.resolve(name), TestCheckpoints.safetensors(parts.get(i), DType.F32, ""));
            for (TestCheckpoints.Weight w : parts.get(i)) {
                weightMap.put(w.name(), name);
            }
        }
        TestCheckpoints.writeString(folder.resolve("model.safetensors.index.json"),
                TestCheckpoints.json(Map.of("metadata", Map.of("total_size", 1), "weight_map", weightMap)));
        assertSameModel(folder, DType.F32);
    }

    @Test
    void llmcFp32AndBf16() {
        Path f32 = dir.resolve("gpt2_small.bin");
        TestCheckpoints.llmc(f32, C, WEIGHTS, 3, 384);
        assertSameModel(f32, DType.F32);
        Path bf16 = dir.resolve("gpt2_small_bf16.bin");
        TestCheckpoints.llmc(bf16, C, WEIGHTS, 5, 300);
        assertSameModel(bf16, DType.BF16);
    }

    /** gpt2-xl's file is 6.4 GB: tensors past 4 GB must map (a sparse file: the hole costs no disk). */
    @Test
    void tensorsPastFourGigabytes() throws Exception {
        Path folder = dir.resolve("large");
        Files.createDirectories(folder);
        TestCheckpoints.writeConfig(folder, C);
        TestCheckpoints.Safetensors s = TestCheckpoints.safetensors(WEIGHTS, DType.F32, "");
        long gap = 4_400_000_000L;
        Map<String, Object> header = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.header().entrySet()) {
            if (e.getValue() instanceof Map<?, ?> t && t.get("data_offsets") instanceof List<?> offsets) {
                long begin = ((Number) offsets.get(0)).longValue() + gap;
                long end = ((Number) offsets.get(1)).longValue() + gap;
                header.put(e.getKey(), TestCheckpoints.tensor("F32",
                        ((List<?>) t.get("shape")).stream().mapToLong(x -> ((Number) x).longValue()).toArray(),
                        begin, end));
            } else {
                header.put(e.getKey(), e.getValue());
            }
        }
        Path file = folder.resolve("model.safetensors");
        TestCheckpoints.write(file, header, s.data(), gap);
        assertTrue(Files.size(file) > gap);
        assertSameModel(folder, DType.F32);
    }

    @Test
    void randomWeightsHaveTheRealShapes() {
        try (Checkpoint a = RandomCheckpoint.open("RANDOM:124m", 7, Optional.empty())) {
            ModelConfig c = ModelSize.GPT2_124M.config();
            assertEquals(c, a.config());
            assertEquals("random:124M", a.source());
            assertEquals(124_439_808L, c.parameterCount());
            List<TensorLayout.Spec> specs = TensorLayout.of(c);
            assertEquals(specs.stream().map(TensorLayout.Spec::name).toList(), new ArrayList<>(a.weights().keySet()));
            long params = 0;
            for (TensorLayout.Spec spec : specs) {
                WeightView w = a.weights().get(spec.name());
                assertEquals(spec.rows(), w.rows(), spec.name());
                assertEquals(spec.cols(), w.cols(), spec.name());
                params += (long) w.rows() * w.cols();
            }
            assertEquals(c.parameterCount(), params);
            assertEquals(DType.F32, a.storedDType());
            WeightView wte = a.weights().get("wte.weight");
            double sum = 0;
            double squares = 0;
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                double x = WeightFormats.get(wte.data(), DType.F32, i);
                sum += x;
                squares += x * x;
            }
            assertEquals(0, sum / n, 1e-3);
            assertEquals(0.02, Math.sqrt(squares / n), 1e-3);
            assertEquals(1f, WeightFormats.get(a.weights().get("h.3.ln_2.weight").data(), DType.F32, 5));
        }
    }

    @Test
    void randomWeightsDependOnTheSeedAlone() {
        try (Checkpoint a = RandomCheckpoint.make(C, "a", 7, Optional.empty());
             Checkpoint b = RandomCheckpoint.make(C, "b", 7, Optional.of(DType.BF16));
             Checkpoint other = RandomCheckpoint.make(C, "c", 8, Optional.empty())) {
            assertEquals(DType.BF16, b.storedDType());
            WeightView x = a.weights().get("h.1.mlp.c_fc.weight");
            WeightView y = b.weights().get("h.1.mlp.c_fc.weight");
            WeightView z = other.weights().get("h.1.mlp.c_fc.weight");
            int differ = 0;
            for (int i = 0; i < x.rows() * x.cols(); i++) {
                float value = WeightFormats.get(x.data(), DType.F32, i);
                assertEquals(WeightFormats.roundTrip(value, DType.BF16), WeightFormats.get(y.data(), DType.BF16, i));
                differ += value != WeightFormats.get(z.data(), DType.F32, i) ? 1 : 0;
            }
            assertTrue(differ > x.rows() * x.cols() * 0.99, differ + " values differ");
        }
    }

    @Test
    void unknownRandomSize() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> Gpt2.load("random:7B", Fixtures.reference()));
        assertEquals(Gpt2Exception.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("random:124M"), e.getMessage());
    }

    @Test
    void dtypeChoice() {
        Path f32 = dir.resolve("f32");
        try (Gpt2Model m = Gpt2.load(f32.toString(), Fixtures.reference().withDType(DType.BF16))) {
            assertEquals(DType.F32, m.info().storedDType());
            assertEquals(DType.BF16, m.info().dtype());
            assertEquals("reference", m.info().backend());
        }
    }

    @Test
    void explicitBackendThatIsMissing() {
        Gpt2Exception e = assertThrows(Gpt2Exception.class,
                () -> Gpt2.load(dir.resolve("f32").toString(), LoadOptions.defaults().withBackend("nonesuch")));
        assertEquals(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("nonesuch") && e.getMessage().contains("reference"), e.getMessage());
    }
}
