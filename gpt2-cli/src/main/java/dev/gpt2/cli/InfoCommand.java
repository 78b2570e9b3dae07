package dev.gpt2.cli;

import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelInfo;
import dev.gpt2.api.ModelSize;
import dev.gpt2.core.Gpt2Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code gpt2 info}: what a model is and where it computes. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Load a model and show its configuration, parameter count, dtypes, backend and device.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Gpt2Model model = modelOptions.load()) {
            ModelInfo info = model.info();
            ModelConfig c = info.config();
            line(out, "model", info.source());
            line(out, "size", ModelSize.of(c).map(s -> "GPT-2 " + s.label()).orElse("custom"));
            line(out, "n_layer", c.nLayer());
            line(out, "n_embd", c.nEmbd());
            line(out, "n_head", c.nHead());
            line(out, "n_positions", c.nPositions());
            line(out, "vocab_size", c.vocabSize());
            line(out, "n_inner", c.nInner());
            line(out, "layer_norm_epsilon", c.layerNormEpsilon());
            line(out, "parameters", String.format(Locale.ROOT, "%,d", c.parameterCount()));
            line(out, "stored dtype", info.storedDType().label());
            line(out, "dtype", info.dtype().label());
            line(out, "weight bytes/token", String.format(Locale.ROOT, "%,d", model.weightBytesPerToken()));
            line(out, "backend", info.backend());
            line(out, "device", info.device());
            line(out, "capabilities", new java.util.TreeSet<>(model.capabilities()));
            for (Map.Entry<String, String> e : new TreeMap<>(model.backendDescription()).entrySet()) {
                line(out, "  " + e.getKey(), e.getValue());
            }
        }
        out.flush();
        return 0;
    }

    private static void line(PrintWriter out, String name, Object value) {
        out.printf("%-20s %s%n", name, value);
    }
}
