package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors a GPT-2 of a given shape has, by Hugging Face name without the {@code transformer.} prefix, with the
 * shape each must have (Conv1D layout: a matmul weight is [in, out]) and the role it plays.
 */
final class TensorLayout {
    private TensorLayout() {
    }

    /**
     * One tensor.
     *
     * @param name  {@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...
     * @param role  how the model uses it
     * @param shape its dimensions: [n] for a vector, [rows, cols] for a matrix
     */
    record Spec(String name, WeightRole role, long[] shape) {
        int rows() {
            return shape.length == 1 ? 1 : (int) shape[0];
        }

        int cols() {
            return (int) shape[shape.length - 1];
        }
    }

    /** Every tensor of {@code c}, in the order of the graph. */
    static List<Spec> of(ModelConfig c) {
        long e = c.nEmbd();
        long inner = c.nInner();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("wte.weight", WeightRole.TOKEN_EMBEDDING, new long[] {c.vocabSize(), e}));
        specs.add(new Spec("wpe.weight", WeightRole.POSITION_EMBEDDING, new long[] {c.nPositions(), e}));
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "h." + l + ".";
            vector(specs, h + "ln_1.weight", e);
            vector(specs, h + "ln_1.bias", e);
            matrix(specs, h + "attn.c_attn.weight", e, 3 * e);
            vector(specs, h + "attn.c_attn.bias", 3 * e);
            matrix(specs, h + "attn.c_proj.weight", e, e);
            vector(specs, h + "attn.c_proj.bias", e);
            vector(specs, h + "ln_2.weight", e);
            vector(specs, h + "ln_2.bias", e);
            matrix(specs, h + "mlp.c_fc.weight", e, inner);
            vector(specs, h + "mlp.c_fc.bias", inner);
            matrix(specs, h + "mlp.c_proj.weight", inner, e);
            vector(specs, h + "mlp.c_proj.bias", e);
        }
        vector(specs, "ln_f.weight", e);
        vector(specs, "ln_f.bias", e);
        return specs;
    }

    private static void vector(List<Spec> specs, String name, long n) {
        specs.add(new Spec(name, WeightRole.VECTOR, new long[] {n}));
    }

    private static void matrix(List<Spec> specs, String name, long rows, long cols) {
        specs.add(new Spec(name, WeightRole.MATMUL, new long[] {rows, cols}));
    }

    /**
     * Checks that {@code found} holds every tensor of {@code config} with an F32, F16 or BF16 dtype and the right
     * shape, and returns them as weight views in graph order.
     *
     * @param found  tensors by name without prefix
     * @param source where they come from, for the message of a missing tensor
     */
    static Map<String, WeightView> check(ModelConfig config, Map<String, SafetensorsFile.Entry> found,
                                         String source) {
        Map<String, WeightView> weights = new LinkedHashMap<>();
        for (Spec spec : of(config)) {
            SafetensorsFile.Entry entry = found.get(spec.name());
            if (entry == null) {
                throw Errors.invalidModel("tensor " + spec.name() + " is missing from " + source
                        + ": the checkpoint is incomplete or not a GPT-2");
            }
            String where = "tensor " + entry.name() + " in " + entry.file();
            DType dtype = entry.weightType().orElseThrow(() -> Errors.invalidModel(where + " has dtype "
                    + entry.dtype() + "; GPT-2 weights must be F32, F16 or BF16"));
            if (!Arrays.equals(entry.shape(), spec.shape())) {
                throw Errors.invalidModel(where + " has shape " + entry.shapeText() + " but the config ("
                        + describe(config) + ") needs " + Arrays.toString(spec.shape()));
            }
            weights.put(spec.name(), new WeightView(spec.name(), dtype, spec.rows(), spec.cols(), entry.data()));
        }
        return weights;
    }

    /** "n_layer 12, n_embd 768, n_head 12, n_positions 1024, vocab_size 50257, n_inner 3072". */
    static String describe(ModelConfig c) {
        return "n_layer " + c.nLayer() + ", n_embd " + c.nEmbd() + ", n_head " + c.nHead() + ", n_positions "
                + c.nPositions() + ", vocab_size " + c.vocabSize() + ", n_inner " + c.nInner();
    }
}
