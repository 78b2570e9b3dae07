package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightFormats;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes small synthetic checkpoints (Hugging Face safetensors, llm.c) for the loader tests. */
final class TestCheckpoints {
    /** A small GPT-2 shape: 2 layers, 16 wide, 2 heads, 32 positions, 300 tokens. */
    static final ModelConfig SMALL = new ModelConfig(2, 16, 2, 32, 300, 64, 1e-5f);

    private TestCheckpoints() {
    }

    /** A tensor by Hugging Face name, its values as floats. */
    record Weight(String name, long[] shape, float[] values) {
        int rows() {
            return shape.length == 1 ? 1 : (int) shape[0];
        }

        int cols() {
            return (int) shape[shape.length - 1];
        }
    }

    /**
     * Random weights of {@code c} in graph order, each a multiple of 1/256 within [-0.25, 0.25] (layer-norm weights
     * 1 + a multiple of 1/128 within [-0.25, 0.25]), so that F32, F16 and BF16 hold them exactly.
     */
    static List<Weight> weights(ModelConfig c, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Weight> weights = new ArrayList<>();
        for (TensorLayout.Spec spec : TensorLayout.of(c)) {
            float[] v = new float[spec.rows() * spec.cols()];
            boolean lnWeight = spec.name().contains("ln_") && spec.name().endsWith(".weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = lnWeight ? 1 + random.nextInt(-32, 33) / 128f : random.nextInt(-64, 65) / 256f;
            }
            weights.add(new Weight(spec.name(), spec.shape(), v));
        }
        return weights;
    }

    static byte[] bytes(float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bits() / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : values) {
            switch (dtype) {
                case F32 -> b.putFloat(x);
                case F16 -> b.putShort(WeightFormats.floatToF16(x));
                case BF16 -> b.putShort(WeightFormats.floatToBf16(x));
                case Q8_0 -> throw new IllegalArgumentException("no Q8_0 in a checkpoint");
            }
        }
        return b.array();
    }

    static String safetensorsName(DType d) {
        return switch (d) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case Q8_0 -> throw new IllegalArgumentException("no Q8_0 in a checkpoint");
        };
    }

    /** The header and the data of a safetensors file holding {@code weights} as {@code dtype}. */
    record Safetensors(Map<String, Object> header, byte[] data) {
    }

    static Safetensors safetensors(List<Weight> weights, DType dtype, String prefix) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (Weight w : weights) {
            byte[] b = bytes(w.values(), dtype);
            header.put(prefix + w.name(), tensor(safetensorsName(dtype), w.shape(), data.size(), data.size() + b.length));
            data.writeBytes(b);
        }
        return new Safetensors(header, data.toByteArray());
    }

    static Map<String, Object> tensor(String dtype, long[] shape, long begin, long end) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("dtype", dtype);
        t.put("shape", java.util.Arrays.stream(shape).boxed().toList());
        t.put("data_offsets", List.of(begin, end));
        return t;
    }

    /** Writes a safetensors file: header length, header (space-padded to 8 bytes), a hole of {@code gap} bytes, data. */
    static void write(Path file, Map<String, Object> header, byte[] data, long gap) {
        byte[] json = json(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(head);
            ch.write(ByteBuffer.wrap(data), 8L + padded + gap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, Safetensors s) {
        write(file, s.header(), s.data(), 0);
    }

    /** A Hugging Face folder: config.json and model.safetensors. */
    static Path folder(Path dir, ModelConfig c, List<Weight> weights, DType dtype, String prefix) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeConfig(dir, c);
        write(dir.resolve("model.safetensors"), safetensors(weights, dtype, prefix));
        return dir;
    }

    static void writeConfig(Path dir, ModelConfig c) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "gpt2");
        config.put("activation_function", "gelu_new");
        config.put("n_layer", c.nLayer());
        config.put("n_embd", c.nEmbd());
        config.put("n_head", c.nHead());
        config.put("n_positions", c.nPositions());
        config.put("n_ctx", c.nPositions());
        config.put("vocab_size", c.vocabSize());
        config.put("n_inner", c.nInner() == 4 * c.nEmbd() ? null : c.nInner());
        config.put("layer_norm_epsilon", (double) c.layerNormEpsilon());
        writeString(dir.resolve("config.json"), json(config));
    }

    static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(ObjectWriteContext.empty(), out)) {
            write(g, value);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object value) {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeName((String) e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object x : l) {
                    write(g, x);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Integer i -> g.writeNumber(i);
            case Long n -> g.writeNumber(n);
            case Double d -> g.writeNumber(d);
            case Boolean b -> g.writeBoolean(b);
            default -> throw new IllegalArgumentException("cannot write " + value);
        }
    }

    /**
     * An llm.c checkpoint of {@code weights} (version 3: F32, version 5: BF16): matmul weights transposed to
     * PyTorch's [out, in], wte padded to {@code paddedVocab} rows of junk.
     */
    static void llmc(Path file, ModelConfig c, List<Weight> weights, int version, int paddedVocab) {
        DType dtype = version == 3 ? DType.F32 : DType.BF16;
        Map<String, Weight> byName = new LinkedHashMap<>();
        weights.forEach(w -> byName.put(w.name(), w));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(LlmcCheckpoint.MAGIC).putInt(version).putInt(c.nPositions()).putInt(c.vocabSize())
                .putInt(c.nLayer()).putInt(c.nHead()).putInt(c.nEmbd()).putInt(paddedVocab);
        out.writeBytes(header.array());
        float[] wte = java.util.Arrays.copyOf(byName.get("wte.weight").values(), paddedVocab * c.nEmbd());
        java.util.Arrays.fill(wte, c.vocabSize() * c.nEmbd(), wte.length, 7f);
        out.writeBytes(bytes(wte, dtype));
        out.writeBytes(bytes(byName.get("wpe.weight").values(), dtype));
        String[] perLayer = {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
            "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
            "mlp.c_proj.weight", "mlp.c_proj.bias"};
        for (String suffix : perLayer) {
            for (int l = 0; l < c.nLayer(); l++) {
                Weight w = byName.get("h." + l + "." + suffix);
                out.writeBytes(bytes(w.shape().length == 2 ? transpose(w) : w.values(), dtype));
            }
        }
        out.writeBytes(bytes(byName.get("ln_f.weight").values(), dtype));
        out.writeBytes(bytes(byName.get("ln_f.bias").values(), dtype));
        try {
            Files.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] transpose(Weight w) {
        int rows = w.rows();
        int cols = w.cols();
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                t[col * rows + r] = w.values()[r * cols + col];
            }
        }
        return t;
    }
}
