package dev.gpt2.cli;

import dev.gpt2.api.Cancellation;
import dev.gpt2.api.ContextPolicy;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationListener;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Sampling;
import dev.gpt2.core.Gpt2Model;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** {@code gpt2 generate}: continues a prompt, streaming the text (or the ids) as it is produced. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt, streaming the text as it is produced.")
final class GenerateCommand implements Callable<Integer> {
    static final int DEFAULT_NEW_TOKENS = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", paramLabel = "TEXT",
                description = "The prompt as text (<|endoftext|> in it is the special token 50256).")
        String text;

        @Option(names = "--prompt-ids", paramLabel = "IDS", converter = TokenIds.Converter.class,
                description = "The prompt as token ids separated by spaces or commas, e.g. \"464 3290\".")
        TokenIds ids;
    }

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "The most tokens to generate (default: " + DEFAULT_NEW_TOKENS + " as in Hugging Face's"
                    + " generate; without --slide, what the context leaves after the prompt if that is less).")
    Integer maxNewTokens;

    @Option(names = "--greedy", description = "Always take the most probable token (no sampling).")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature, above 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40",
            description = "Sample among the K most probable tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
            description = "Sample among the most probable tokens whose probability reaches P; 1 keeps all"
                    + " (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the sampling: the same seed gives the same text; default: a random one.")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR",
            description = "Stop when the text contains STR (not printed); repeatable.")
    List<String> stops = List.of();

    @Option(names = "--ignore-eos", description = "Keep generating after <|endoftext|> instead of stopping there.")
    boolean ignoreEos;

    @Option(names = "--slide",
            description = "When prompt + new tokens pass the context, keep going with a sliding context (the last"
                    + " half is recomputed each time it fills) instead of failing.")
    boolean slide;

    @Option(names = "--output-ids", description = "Print the generated token ids, space separated, instead of text.")
    boolean outputIds;

    @Override
    public Integer call() {
        if (greedy) {
            for (String sampling : List.of("--temperature", "--top-k", "--top-p", "--seed")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(sampling)) {
                    throw new ParameterException(spec.commandLine(), "--greedy takes no " + sampling
                            + ": it always picks the most probable token, nothing is sampled");
                }
            }
        }
        Sampling sampling = greedy ? Sampling.greedy() : Sampling.random(temperature, topK, topP);
        PrintWriter out = spec.commandLine().getOut();
        try (Gpt2Model model = modelOptions.load()) {
            int[] ids = prompt.ids != null ? prompt.ids.values() : model.encode(prompt.text);
            int contextLeft = model.config().nPositions() - ids.length;
            GenerationOptions options = new GenerationOptions(
                    maxNewTokens != null ? maxNewTokens
                            : slide ? DEFAULT_NEW_TOKENS : Math.max(1, Math.min(DEFAULT_NEW_TOKENS, contextLeft)),
                    sampling,
                    seed == null ? OptionalLong.empty() : OptionalLong.of(seed), stops, !ignoreEos,
                    slide ? ContextPolicy.SLIDE : ContextPolicy.FAIL);
            GenerationListener listener = token -> {
                if (outputIds) {
                    out.print((token.index() == 0 ? "" : " ") + token.id());
                } else {
                    out.print(token.text());
                }
                out.flush();
            };
            Generation generation = model.generate(new GenerationRequest(ids, options, listener,
                    new Cancellation()));
            out.println();
            out.flush();
            if (seed == null && !greedy) {
                // the picked seed, so that a text worth keeping can be made again
                PrintWriter err = spec.commandLine().getErr();
                err.println("gpt2 generate: sampled with seed " + generation.seed() + " (--seed " + generation.seed()
                        + " gives this text again)");
                err.flush();
            }
            return 0;
        }
    }
}
