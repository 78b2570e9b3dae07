package dev.gpt2.core;

import dev.gpt2.api.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} of a GPT-2 ({@code GPT2Config}) into a {@link ModelConfig}.
 *
 * <p>Required: {@code n_embd}, {@code n_layer}, {@code n_head}, {@code n_positions} (or {@code n_ctx}),
 * {@code vocab_size}. Optional: {@code n_inner} (null or absent: 4 * n_embd), {@code layer_norm_epsilon} (1e-5),
 * {@code activation_function} ("gelu_new" or its equivalent "gelu_pytorch_tanh"). Settings that change the graph
 * away from GPT-2's ({@code scale_attn_by_inverse_layer_idx}, no {@code scale_attn_weights}, another activation,
 * another {@code model_type}) are refused rather than computed wrongly.
 */
final class HfConfig {
    private static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh");

    private HfConfig() {
    }

    /** Reads {@code file}. */
    static ModelConfig read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw Errors.io(file, e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses the bytes of a config.json; {@code file} names it in error messages. */
    static ModelConfig parse(byte[] bytes, String file) {
        Map<String, Object> json = Json.parseObject(bytes, file);
        Object type = json.get("model_type");
        if (type != null && !"gpt2".equals(type)) {
            throw Errors.invalidModel(file + ": model_type is " + Json.describe(type)
                    + "; this library runs GPT-2 checkpoints (model_type \"gpt2\")");
        }
        Object activation = json.getOrDefault("activation_function", "gelu_new");
        if (!(activation instanceof String a) || !TANH_GELU.contains(a)) {
            throw Errors.invalidModel(file + ": activation_function is " + Json.describe(activation)
                    + "; GPT-2 uses the tanh GELU (\"gelu_new\" or \"gelu_pytorch_tanh\")");
        }
        if (Boolean.TRUE.equals(json.get("scale_attn_by_inverse_layer_idx"))) {
            throw Errors.invalidModel(file + ": scale_attn_by_inverse_layer_idx is true; GPT-2 scales attention by"
                    + " 1/sqrt(head size) only, and this library computes nothing else");
        }
        if (Boolean.FALSE.equals(json.get("scale_attn_weights"))) {
            throw Errors.invalidModel(file + ": scale_attn_weights is false; GPT-2 scales attention by"
                    + " 1/sqrt(head size), and this library computes nothing else");
        }
        int nEmbd = requiredInt(json, "n_embd", file);
        int nLayer = requiredInt(json, "n_layer", file);
        int nHead = requiredInt(json, "n_head", file);
        int nPositions = json.containsKey("n_positions") ? requiredInt(json, "n_positions", file)
                : requiredInt(json, "n_ctx", file);
        int vocabSize = requiredInt(json, "vocab_size", file);
        int nInner = json.get("n_inner") == null ? 4 * nEmbd : requiredInt(json, "n_inner", file);
        float eps = json.get("layer_norm_epsilon") == null ? 1e-5f
                : (float) number(json, "layer_norm_epsilon", file).doubleValue();
        try {
            return new ModelConfig(nLayer, nEmbd, nHead, nPositions, vocabSize, nInner, eps);
        } catch (IllegalArgumentException e) {
            throw Errors.invalidModel(file + ": " + e.getMessage());
        }
    }

    private static int requiredInt(Map<String, Object> json, String field, String file) {
        if (!json.containsKey(field)) {
            throw Errors.invalidModel(file + " has no \"" + field + "\": a GPT-2 config.json needs n_embd, n_layer,"
                    + " n_head, n_positions and vocab_size");
        }
        Number n = number(json, field, file);
        if (!(n instanceof Integer || n instanceof Long) || n.longValue() != n.intValue()) {
            throw Errors.invalidModel(file + ": \"" + field + "\" must be a whole number that fits an int, found "
                    + n);
        }
        return n.intValue();
    }

    private static Number number(Map<String, Object> json, String field, String file) {
        if (json.get(field) instanceof Number n) {
            return n;
        }
        throw Errors.invalidModel(file + ": \"" + field + "\" must be a number, found " + Json.describe(json.get(field)));
    }
}
