package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.Tensor;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a GPT-2 on a backend: handles only, each weight uploaded once.
 *
 * @param wte    token embedding [V, C], also the tied LM head
 * @param wpe    position embedding [n_positions, C]
 * @param layers the transformer blocks
 * @param lnfW   final layer norm weight [C]
 * @param lnfB   final layer norm bias [C]
 * @param dtype  how the matrices and embeddings are held (vectors are always F32)
 */
record ModelWeights(Tensor wte, Tensor wpe, List<Layer> layers, Tensor lnfW, Tensor lnfB, DType dtype) {

    /** One block's weights, named after the checkpoint's (C = n_embd, I = n_inner). */
    record Layer(Tensor ln1W, Tensor ln1B,
                 Tensor cAttnW, Tensor cAttnB,       // [C, 3C], [3C]
                 Tensor attnProjW, Tensor attnProjB, // [C, C], [C]
                 Tensor ln2W, Tensor ln2B,
                 Tensor cFcW, Tensor cFcB,           // [C, I], [I]
                 Tensor mlpProjW, Tensor mlpProjB) { // [I, C], [C]
    }

    /** Uploads every weight of {@code checkpoint} to {@code backend}, held as {@code dtype}. */
    static ModelWeights upload(Backend backend, Checkpoint checkpoint, DType dtype) {
        Map<String, Tensor> t = new HashMap<>();
        for (TensorLayout.Spec spec : TensorLayout.of(checkpoint.config())) {
            WeightView view = checkpoint.weights().get(spec.name());
            DType held = spec.role() == WeightRole.VECTOR ? DType.F32 : dtype;
            t.put(spec.name(), backend.upload(view, spec.role(), held));
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < checkpoint.config().nLayer(); l++) {
            String h = "h." + l + ".";
            layers.add(new Layer(t.get(h + "ln_1.weight"), t.get(h + "ln_1.bias"),
                    t.get(h + "attn.c_attn.weight"), t.get(h + "attn.c_attn.bias"),
                    t.get(h + "attn.c_proj.weight"), t.get(h + "attn.c_proj.bias"),
                    t.get(h + "ln_2.weight"), t.get(h + "ln_2.bias"),
                    t.get(h + "mlp.c_fc.weight"), t.get(h + "mlp.c_fc.bias"),
                    t.get(h + "mlp.c_proj.weight"), t.get(h + "mlp.c_proj.bias")));
        }
        return new ModelWeights(t.get("wte.weight"), t.get("wpe.weight"), List.copyOf(layers),
                t.get("ln_f.weight"), t.get("ln_f.bias"), dtype);
    }
}
