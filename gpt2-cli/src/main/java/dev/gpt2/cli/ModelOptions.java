package dev.gpt2.cli;

import dev.gpt2.api.DType;
import dev.gpt2.api.LoadOptions;
import dev.gpt2.core.Gpt2;
import dev.gpt2.core.Gpt2Model;
import dev.gpt2.hub.HubResolver;
import dev.gpt2.hub.ModelLocation;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.util.Optional;

/** The options that say which model to load and how: shared by generate, score, bench and info. */
final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A Hugging Face folder (config.json + model.safetensors), a .safetensors file, an llm.c"
                    + " .bin checkpoint, random:124M|355M|774M|1558M (seeded random weights), or a model on the"
                    + " Hugging Face Hub: gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2 or any org/name, taken"
                    + " from the Hugging Face cache (HF_HUB_CACHE, HF_HOME) or downloaded from HF_ENDPOINT once.")
    String model;

    @Option(names = "--revision", paramLabel = "REV",
            description = "The branch, tag or commit of a Hub model (default: main).")
    String revision;

    @Option(names = "--offline",
            description = "Use only the Hugging Face cache, never the network (as HF_HUB_OFFLINE=1 does).")
    boolean offline;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "The compute backend (see `gpt2 backends`); default: -Dgpt2.backend, GPT2_BACKEND, else"
                    + " the available one of highest priority.")
    String backend;

    @Option(names = "--dtype", paramLabel = "TYPE", converter = DTypeConverter.class,
            description = "How to hold the weights: f32, f16, bf16 or q8; default: as stored if the backend holds"
                    + " that, else f32.")
    DType dtype;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Compute threads of a CPU backend; 0 (default) is one per processor.")
    int threads;

    @Option(names = "--seed-for-random", paramLabel = "S", defaultValue = "1234",
            description = "The seed of random:SIZE weights (default: ${DEFAULT-VALUE}).")
    long randomSeed;

    LoadOptions loadOptions() {
        return new LoadOptions(Optional.ofNullable(backend), Optional.ofNullable(dtype), threads, randomSeed);
    }

    /** Loads the model; a Hub name is first resolved to its folder in the Hugging Face cache, downloaded if need be. */
    Gpt2Model load() {
        return Gpt2.load(resolve(model, revision, offline), loadOptions());
    }

    /**
     * What {@link Gpt2#load} takes for a {@code --model} argument: a Hub name becomes its snapshot folder in the
     * Hugging Face cache (downloaded unless offline); a path or {@code random:SIZE} stays as it is.
     *
     * @param revision the branch, tag or commit of a Hub model, or null for main
     */
    static String resolve(String model, String revision, boolean offline) {
        ModelLocation location = HubResolver.fromEnvironment().resolve(model, Optional.ofNullable(revision), offline);
        return location.loaderArgument();
    }

    /** Parses {@code --dtype}. */
    static final class DTypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            try {
                return DType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
