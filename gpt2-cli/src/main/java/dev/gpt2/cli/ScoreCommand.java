package dev.gpt2.cli;

import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.core.Gpt2Model;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gpt2 score}: how well the model predicts a sequence (nll_sum, perplexity, bits per byte). */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score token ids or a text: nll_sum (the sum over t >= 1 of -ln p(id_t | ids_<t)), perplexity,"
                + " bits per byte. Sequences longer than the context are scored with a sliding window.")
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--ids", paramLabel = "IDS", converter = TokenIds.Converter.class,
                description = "Token ids separated by spaces or commas, e.g. \"464 3290 318\".")
        TokenIds ids;

        @Option(names = "--file", paramLabel = "F", description = "A UTF-8 text file to encode and score (- for"
                + " stdin); <|endoftext|> in it is the special token 50256.")
        Path file;
    }

    @Option(names = "--stride", paramLabel = "S", defaultValue = "0",
            description = "How far each window of a long sequence advances, below the context; 0 (default) is half"
                    + " the context.")
    int stride;

    @Option(names = "--prepend-eot", description = "Score after an <|endoftext|>, so that the first token counts too.")
    boolean prependEndOfText;

    @Option(names = "--token-logprobs", description = "Also print ln p of every token (index 0 has none).")
    boolean tokenLogProbs;

    @Option(names = "--json", description = "One JSON object: {\"tokens\": n, \"nll_sum\": x, \"ppl\": y, ...}.")
    boolean json;

    @Override
    public Integer call() {
        ScoreOptions options = new ScoreOptions(stride, tokenLogProbs, prependEndOfText);
        String text = input.file == null ? null : readText(input.file);
        Map<String, Object> result = new LinkedHashMap<>();
        try (Gpt2Model model = modelOptions.load()) {
            Score score = text == null ? model.score(input.ids.values(), options) : model.score(text, options);
            result.put("tokens", score.tokens());
            result.put("scored_tokens", score.scoredTokens());
            result.put("nll_sum", score.nllSum());
            result.put("ppl", score.perplexity());
            if (score.bitsPerByte().isPresent()) {
                result.put("bits_per_byte", score.bitsPerByte().getAsDouble());
            }
            result.put("backend", model.info().backend());
            result.put("dtype", model.info().dtype().label());
            if (tokenLogProbs) {
                result.put("token_logprobs", score.tokenLogProbs());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.object(result));
        } else {
            // what JSON writes as null (the perplexity of nothing scored, NaN) prints as "-"
            result.forEach((name, value) -> out.printf("%-15s %s%n", name,
                    value instanceof double[] d ? java.util.Arrays.toString(d)
                            : value instanceof Double x && !Double.isFinite(x) ? "-" : value));
        }
        out.flush();
        return 0;
    }

    private static String readText(Path file) {
        byte[] bytes;
        try {
            bytes = file.toString().equals("-") ? System.in.readAllBytes() : Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --file " + file + ": " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--file " + file + " is not UTF-8 text: " + e.getMessage());
        }
    }
}
