package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.Gpt2Exception.Kind;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ScoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every corrupt or mismatched input is one {@link Gpt2Exception} whose one-line message names the file or tensor and
 * the problem, raised before anything is computed.
 */
class CorruptInputTest {
    private static final ModelConfig C = TestCheckpoints.SMALL;
    private static final List<TestCheckpoints.Weight> WEIGHTS = TestCheckpoints.weights(C, 3);

    @TempDir
    Path dir;

    private static Gpt2Exception fails(Path model, Kind kind, String... phrases) {
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> Gpt2.load(model.toString(), Fixtures.reference()));
        assertEquals(kind, e.kind(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        }
        return e;
    }

    /** A valid folder whose model.safetensors header was changed by {@code edit}. */
    private Path withHeader(String name, Consumer<Map<String, Object>> edit) {
        Path folder = TestCheckpoints.folder(dir.resolve(name), C, WEIGHTS, DType.F32, "");
        TestCheckpoints.Safetensors s = TestCheckpoints.safetensors(WEIGHTS, DType.F32, "");
        Map<String, Object> header = new LinkedHashMap<>(s.header());
        edit.accept(header);
        TestCheckpoints.write(folder.resolve("model.safetensors"), header, s.data(), 0);
        return folder;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tensor(Map<String, Object> header, String name) {
        return (Map<String, Object>) header.get(name);
    }

    private Path withBytes(String name, byte[] bytes) throws IOException {
        Path folder = TestCheckpoints.folder(dir.resolve(name), C, WEIGHTS, DType.F32, "");
        Files.write(folder.resolve("model.safetensors"), bytes);
        return folder;
    }

    /**
     * NaN weights load (their bytes are well formed) but scoring and generation fail with BACKEND_FAILURE instead of
     * returning NaN figures or an arbitrary token.
     */
    @Test
    void nanWeightsFailWhenUsed() {
        List<TestCheckpoints.Weight> nan = WEIGHTS.stream().map(w -> w.name().equals("ln_f.bias")
                ? new TestCheckpoints.Weight(w.name(), w.shape(), filled(w.values().length, Float.NaN)) : w).toList();
        Path folder = TestCheckpoints.folder(dir.resolve("nan"), C, nan, DType.F32, "");
        try (Gpt2Model m = Gpt2.load(folder.toString(), Fixtures.reference())) {
            Gpt2Exception score = assertThrows(Gpt2Exception.class,
                    () -> m.score(new int[] {1, 2, 3}, ScoreOptions.defaults()));
            assertEquals(Kind.BACKEND_FAILURE, score.kind(), score.getMessage());
            assertTrue(score.getMessage().contains("not numbers"), score.getMessage());
            Gpt2Exception generate = assertThrows(Gpt2Exception.class, () -> m.generate(
                    dev.gpt2.api.GenerationRequest.of(new int[] {1, 2}, dev.gpt2.api.GenerationOptions.defaults()
                            .withMaxNewTokens(4))));
            assertEquals(Kind.BACKEND_FAILURE, generate.kind(), generate.getMessage());
            assertTrue(generate.getMessage().contains("every logit is NaN"), generate.getMessage());
        }
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    @Test
    void truncatedFile() throws IOException {
        Path folder = TestCheckpoints.folder(dir.resolve("truncated"), C, WEIGHTS, DType.F32, "");
        Path file = folder.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length / 2));
        fails(folder, Kind.INVALID_MODEL, file.toString(), "lie outside the data", "truncated");
    }

    @Test
    void emptyFile() throws IOException {
        fails(withBytes("empty", new byte[0]), Kind.INVALID_MODEL, "model.safetensors is empty");
    }

    @Test
    void shorterThanTheHeaderLength() throws IOException {
        fails(withBytes("short", new byte[] {1, 2, 3}), Kind.INVALID_MODEL, "is truncated", "3 bytes");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put("{\"a\":1}".getBytes());
        fails(withBytes("past", b.array()), Kind.INVALID_MODEL, "header length 1000 passes the end of the file");
        ByteBuffer negative = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-5);
        fails(withBytes("negative", negative.array()), Kind.INVALID_MODEL, "passes the end of the file");
    }

    @Test
    void headerNotJson() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(16).put("this is not json".getBytes());
        fails(withBytes("notjson", b.array()), Kind.INVALID_MODEL, "model.safetensors is not valid JSON");
        ByteBuffer array = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put("[1,2,3] ".getBytes());
        fails(withBytes("array", array.array()), Kind.INVALID_MODEL, "must be a JSON object, found an array");
        // a header that starts with zero bytes: Jackson guessed UTF-32 from them ("Invalid UTF-32 character")
        ByteBuffer zeros = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(16).put(new byte[3])
                .put("format\": 1}".getBytes());
        String message = fails(withBytes("zeros", zeros.array()), Kind.INVALID_MODEL, "is not valid JSON").getMessage();
        assertFalse(message.contains("UTF-32") || message.contains("line -1"), message);
        ByteBuffer latin1 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(16)
                .put("{\"a\": \"caf\u00e9\"}  ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        fails(withBytes("latin1", latin1.array()), Kind.INVALID_MODEL, "its bytes are not UTF-8 text");
    }

    @Test
    void duplicateNamesInTheHeader() throws IOException {
        String json = "{\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + json.length() + 8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length()).put(json.getBytes());
        fails(withBytes("duplicate", b.array()), Kind.INVALID_MODEL, "not valid JSON", "wte.weight");
    }

    @Test
    void offsetsOutsideTheData() {
        fails(withHeader("outside", h -> tensor(h, "ln_f.bias").put("data_offsets", List.of(0L, 1L << 40))),
                Kind.INVALID_MODEL, "tensor ln_f.bias in", "lie outside the data");
        fails(withHeader("backwards", h -> tensor(h, "ln_f.bias").put("data_offsets", List.of(64L, 0L))),
                Kind.INVALID_MODEL, "tensor ln_f.bias in", "[64, 0]");
    }

    @Test
    void overlappingOffsets() {
        fails(withHeader("overlap",
                h -> tensor(h, "h.0.ln_1.bias").put("data_offsets", tensor(h, "h.0.ln_1.weight").get("data_offsets"))),
                Kind.INVALID_MODEL, "h.0.ln_1.weight", "h.0.ln_1.bias", "overlap");
    }

    @Test
    void unknownDtype() {
        fails(withHeader("unknown", h -> tensor(h, "h.1.mlp.c_fc.bias").put("dtype", "F7")),
                Kind.INVALID_MODEL, "tensor h.1.mlp.c_fc.bias", "unknown dtype \"F7\"");
        fails(withHeader("int", h -> tensor(h, "wpe.weight").put("dtype", "I32")),
                Kind.INVALID_MODEL, "tensor wpe.weight", "has dtype I32", "F32, F16 or BF16");
    }

    @Test
    void missingTensor() {
        fails(withHeader("missing", h -> h.remove("h.1.mlp.c_proj.bias")), Kind.INVALID_MODEL,
                "tensor h.1.mlp.c_proj.bias is missing from", "model.safetensors");
    }

    @Test
    void shapeDisagreesWithItsBytes() {
        fails(withHeader("bytes", h -> tensor(h, "h.0.attn.c_attn.bias").put("shape", List.of(49L))),
                Kind.INVALID_MODEL, "tensor h.0.attn.c_attn.bias", "shape [49] of F32 needs 196 bytes", "hold 192");
    }

    @Test
    void shapeDisagreesWithTheConfig() {
        Path folder = TestCheckpoints.folder(dir.resolve("config"), C, WEIGHTS, DType.F32, "");
        TestCheckpoints.writeConfig(folder, new ModelConfig(2, 16, 2, 64, 300, 64, 1e-5f));
        fails(folder, Kind.INVALID_MODEL, "tensor wpe.weight", "has shape [32, 16]", "n_positions 64", "needs [64, 16]");
    }

    @Test
    void badConfig() {
        Path folder = TestCheckpoints.folder(dir.resolve("badconfig"), C, WEIGHTS, DType.F32, "");
        Path config = folder.resolve("config.json");
        TestCheckpoints.writeString(config, "{\"n_embd\": 16,");
        fails(folder, Kind.INVALID_MODEL, config.toString(), "not valid JSON");
        TestCheckpoints.writeString(config, "{\"n_embd\": 16, \"n_layer\": 2, \"n_head\": 2, \"vocab_size\": 300}");
        fails(folder, Kind.INVALID_MODEL, config.toString(), "no \"n_ctx\"");
        TestCheckpoints.writeString(config, "{\"n_embd\": 16, \"n_layer\": 2, \"n_head\": 3, \"n_positions\": 32,"
                + " \"vocab_size\": 300}");
        fails(folder, Kind.INVALID_MODEL, "n_embd 16 is not a multiple of n_head 3");
        TestCheckpoints.writeString(config, "{\"n_embd\": 16, \"n_layer\": 2, \"n_head\": 2, \"n_positions\": 32,"
                + " \"vocab_size\": 300, \"activation_function\": \"relu\"}");
        fails(folder, Kind.INVALID_MODEL, "activation_function is the string \"relu\"");
        TestCheckpoints.writeString(config, "{\"n_embd\": \"wide\"}");
        fails(folder, Kind.INVALID_MODEL, "\"n_embd\" must be a number");
    }

    @Test
    void noConfig() throws IOException {
        Path folder = TestCheckpoints.folder(dir.resolve("noconfig"), C, WEIGHTS, DType.F32, "");
        Files.delete(folder.resolve("config.json"));
        fails(folder, Kind.INVALID_MODEL, "has no config.json");
        fails(folder.resolve("model.safetensors"), Kind.INVALID_MODEL, "no config.json beside");
    }

    @Test
    void folderWithoutWeights() throws IOException {
        Path folder = dir.resolve("noweights");
        Files.createDirectories(folder);
        fails(folder, Kind.INVALID_MODEL, "is empty");
        TestCheckpoints.writeConfig(folder, C);
        fails(folder, Kind.INVALID_MODEL, "has no model.safetensors and no model.safetensors.index.json");
    }

    @Test
    void pathThatDoesNotExist() {
        fails(dir.resolve("nowhere"), Kind.NOT_FOUND, "nowhere", "does not exist");
    }

    @Test
    void shardMissing() {
        Path folder = TestCheckpoints.folder(dir.resolve("index"), C, WEIGHTS, DType.F32, "");
        Path file = folder.resolve("model.safetensors");
        try {
            Files.move(file, folder.resolve("model-00001-of-00001.safetensors"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        WEIGHTS.forEach(w -> map.put(w.name(), "model-00001-of-00001.safetensors"));
        map.put("ln_f.bias", "model-00002-of-00002.safetensors");
        TestCheckpoints.writeString(folder.resolve("model.safetensors.index.json"),
                TestCheckpoints.json(Map.of("weight_map", map)));
        fails(folder, Kind.INVALID_MODEL, "model-00002-of-00002.safetensors", "not a file");
    }

    @Test
    void untiedLmHead() {
        fails(withHeader("lmhead", h -> h.put("lm_head.weight", h.get("wte.weight"))), Kind.INVALID_MODEL,
                "overlap");
        Path folder = TestCheckpoints.folder(dir.resolve("untied"), C, WEIGHTS, DType.F32, "");
        TestCheckpoints.Safetensors s = TestCheckpoints.safetensors(WEIGHTS, DType.F32, "");
        Map<String, Object> header = new LinkedHashMap<>(s.header());
        byte[] head = new byte[C.vocabSize() * C.nEmbd() * 4];
        byte[] data = Arrays.copyOf(s.data(), s.data().length + head.length);
        header.put("lm_head.weight", TestCheckpoints.tensor("F32", new long[] {C.vocabSize(), C.nEmbd()},
                s.data().length, data.length));
        TestCheckpoints.write(folder.resolve("model.safetensors"), header, data, 0);
        fails(folder, Kind.INVALID_MODEL, "lm_head.weight", "differs from wte.weight");
    }

    @Test
    void llmcProblems() throws IOException {
        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        fails(empty, Kind.INVALID_MODEL, "empty.bin is empty");
        Path zeros = dir.resolve("zeros.bin");
        Files.write(zeros, new byte[2048]);
        fails(zeros, Kind.INVALID_MODEL, "not an llm.c checkpoint", "magic number is 0");
        Path good = dir.resolve("model.bin");
        TestCheckpoints.llmc(good, C, WEIGHTS, 3, 320);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 4));
        fails(cut, Kind.INVALID_MODEL, "cut.bin is truncated");
        byte[] v2 = bytes.clone();
        v2[4] = 2;
        Path old = dir.resolve("old.bin");
        Files.write(old, v2);
        fails(old, Kind.INVALID_MODEL, "old.bin has llm.c version 2");
    }

    @Test
    void idsOutsideTheVocabulary() {
        Path folder = TestCheckpoints.folder(dir.resolve("ids"), C, WEIGHTS, DType.F32, "");
        try (Gpt2Model m = Gpt2.load(folder.toString(), Fixtures.reference())) {
            Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> m.score(new int[] {1, 2, 300}, ScoreOptions.defaults()));
            assertEquals(Kind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains("token id 300 at index 2") && e.getMessage().contains("[0, 300)"),
                    e.getMessage());
            e = assertThrows(Gpt2Exception.class, () -> m.nextTokenLogits(new int[] {-1}));
            assertTrue(e.getMessage().contains("token id -1 at index 0"), e.getMessage());
            e = assertThrows(Gpt2Exception.class, () -> m.generate(dev.gpt2.api.GenerationRequest.of(new int[] {7, 400},
                    dev.gpt2.api.GenerationOptions.defaults().withMaxNewTokens(2))));
            assertTrue(e.getMessage().contains("token id 400 at index 1 of the prompt"), e.getMessage());
            e = assertThrows(Gpt2Exception.class, () -> m.score(new int[] {1, 2}, ScoreOptions.defaults()
                    .withPrependEndOfText(true)));
            assertTrue(e.getMessage().contains("token id 50256 at index 0"), e.getMessage());
        }
    }
}
