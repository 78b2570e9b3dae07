package dev.gpt2.cli;

import dev.gpt2.tokenizer.Gpt2Tokenizer;
import dev.gpt2.tokenizer.SpecialTokenPolicy;
import dev.gpt2.tokenizer.StreamingEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** {@code gpt2 encode}: UTF-8 text to GPT-2 token ids. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {
            "Encode UTF-8 text (stdin, or --file) into GPT-2 token ids, printed on one line separated by spaces.",
            "The ids are exactly those of OpenAI's encoder.py. <|endoftext|> in the text is ordinary text "
                + "(7 tokens), as in encoder.py, unless --allow-special is given.",
            "Bytes that are not valid UTF-8 are read as U+FFFD (one per maximal invalid subsequence, as Python's "
                + "errors='replace'), with a warning on stderr; so is a lone surrogate escape (\\ud800) in a --jsonl "
                + "text, without one.",
            "The input is read and encoded a block at a time, so input of any length fits in memory (text with no "
                + "space or change of script for millions of chars is held whole); an error past the first MiB comes "
                + "after the ids of what precedes it."},
        footer = {"", "Examples:",
            "  echo -n 'Hello, world!' | gpt2 encode            # 15496 11 995 0",
            "  gpt2 encode --count --file book.txt",
            "  echo '{\"text\": \"Hello\"}' | gpt2 encode --jsonl   # {\"ids\":[15496]}"})
final class EncodeCommand implements Runnable {

    @Mixin
    InputOption input;

    @Option(names = "--jsonl", description = "Each input line is {\"text\": \"...\"}; each output line is "
            + "{\"ids\": [...]} (blank input lines are skipped).")
    boolean jsonl;

    @Option(names = "--count", description = "Print only the number of tokens (with --jsonl: {\"count\": n} per line).")
    boolean count;

    @Option(names = "--allow-special", description = "Encode <|endoftext|> in the text as the special token 50256.")
    boolean allowSpecial;

    private final OutputStream stdout = System.out;
    /** Ids encoded so far. */
    private long total;

    /** Counts the ids, and writes them unless only their count is wanted. */
    private void emit(int[] ids, IdWriter out) {
        total += ids.length;
        if (!count) {
            try {
                out.write(ids);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ids: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void run() {
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.gpt2();
        SpecialTokenPolicy policy = allowSpecial ? SpecialTokenPolicy.allowAll() : SpecialTokenPolicy.ordinary();
        Utf8Input in = input.open();
        if (jsonl) {
            JsonLines.transform(in, stdout, (line, where, out) -> {
                String text = JsonLines.text(line, where);
                if (count) {
                    out.writeCount(gpt2.countTokens(text, policy));
                } else {
                    out.writeIds(gpt2.encode(text, policy));
                }
            });
            return;
        }
        // the input is read block by block and encoded as it comes: memory stays bounded however long it is
        StreamingEncoder encoder = gpt2.streamingEncoder(policy);
        IdWriter out = new IdWriter(stdout);
        try {
            in.forEachText(text -> emit(encoder.push(text), out));
            emit(encoder.finish(), out);
            if (count) {
                out.write(total);
            }
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ids: " + e.getMessage(), e);
        }
    }
}
