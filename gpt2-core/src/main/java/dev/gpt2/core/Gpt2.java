package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads GPT-2 models. The one entry point of this module:
 * <pre>{@code
 * try (LanguageModel gpt2 = Gpt2.load("models/gpt2", LoadOptions.defaults())) {
 *     Generation g = gpt2.generate("Hello, my name is", GenerationOptions.defaults().withMaxNewTokens(20));
 * }
 * }</pre>
 */
public final class Gpt2 {
    private static final System.Logger LOG = System.getLogger(Gpt2.class.getName());

    private Gpt2() {
    }

    /**
     * Loads a model and uploads its weights to a backend.
     *
     * @param model a Hugging Face folder ({@code config.json} and {@code model.safetensors}, or shards listed in
     *              {@code model.safetensors.index.json}; a {@code vocab.json} and {@code merges.txt} there replace
     *              the bundled GPT-2 vocabulary), a {@code .safetensors} file with a {@code config.json} beside it,
     *              an llm.c checkpoint ({@code gpt2_124M.bin}, fp32 or bf16), or {@code random:124M|355M|774M|1558M}
     *              (seeded random weights of that shape, made in memory)
     * @param options the backend (see {@link BackendRegistry} for the selection order), how to hold the weights, the
     *              number of threads, the seed of random weights
     * @throws Gpt2Exception when the model is missing or corrupt (every tensor's presence, dtype and shape is checked
     *                       before anything is computed), no backend fits, or the backend cannot hold the dtype
     */
    public static Gpt2Model load(String model, LoadOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        BackendStatus chosen = BackendRegistry.select(options.backend());
        Checkpoint checkpoint = open(model, options);
        try {
            DType dtype = dtype(chosen, options.dtype(), checkpoint.storedDType());
            Gpt2Model loaded = new Gpt2Model(checkpoint, chosen, dtype, options.threads());
            LOG.log(System.Logger.Level.DEBUG, () -> "loaded " + checkpoint.source() + " on " + chosen.name() + " as "
                    + dtype + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            return loaded;
        } catch (RuntimeException | Error e) {
            checkpoint.close();
            throw e;
        }
    }

    private static Checkpoint open(String model, LoadOptions options) {
        if (model.isBlank()) {
            throw Errors.notFound("no model given: " + WHAT_A_MODEL_IS);
        }
        if (RandomCheckpoint.isRandom(model)) {
            return RandomCheckpoint.open(model, options.randomSeed(), options.dtype());
        }
        Path path;
        try {
            path = Path.of(model);
        } catch (InvalidPathException e) {
            throw Errors.notFound("model '" + model + "' is not a valid path: " + WHAT_A_MODEL_IS);
        }
        if (!Files.exists(path)) {
            throw Errors.notFound("model " + model + " does not exist: " + WHAT_A_MODEL_IS);
        }
        if (!Files.isDirectory(path) && (path.toString().endsWith(".bin") || LlmcCheckpoint.hasMagic(path))) {
            return LlmcCheckpoint.open(path);
        }
        return HfCheckpoint.open(path);
    }

    private static final String WHAT_A_MODEL_IS = "give a Hugging Face folder (config.json + model.safetensors),"
            + " a .safetensors file, an llm.c .bin checkpoint or random:124M|355M|774M|1558M";

    /**
     * The dtype to hold the weights in: the one asked for, which the backend must hold; else the checkpoint's when
     * the backend holds it; else F32.
     */
    static DType dtype(BackendStatus backend, Optional<DType> asked, DType stored) {
        Set<DType> held = backend.probe().weightTypes();
        if (asked.isPresent()) {
            if (!held.contains(asked.get())) {
                throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_ARGUMENT, "backend '" + backend.name()
                        + "' cannot hold weights as " + asked.get() + "; it holds " + labels(held)
                        + ": choose one of those (--dtype)");
            }
            return asked.get();
        }
        if (held.contains(stored)) {
            return stored;
        }
        if (held.contains(DType.F32)) {
            return DType.F32;
        }
        throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_ARGUMENT, "backend '" + backend.name()
                + "' holds weights only as " + labels(held) + ", not as stored (" + stored
                + ") nor as f32: choose one of those (--dtype)");
    }

    private static Set<String> labels(Set<DType> types) {
        Set<String> labels = new TreeSet<>();
        types.forEach(t -> labels.add(t.label()));
        return labels;
    }
}
