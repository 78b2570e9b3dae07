package dev.gpt2.eval.task;

import dev.gpt2.eval.EvalDataException;
import dev.gpt2.eval.MetricValue;
import dev.gpt2.eval.MetricValue.Unit;
import dev.gpt2.eval.data.TextFile;
import dev.gpt2.eval.metric.Perplexity;
import dev.gpt2.eval.text.Detokenizer;
import dev.gpt2.eval.text.Words;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Perplexity (per word of the original file), bits per byte or bits per character of a whole test set: the text
 * (detokenized where the set is pre-tokenized) follows an {@code <|endoftext|>} so that every token is scored, and is
 * scored with a {@link SlidingWindows sliding window}, windows batched through {@code scoreBatch}.
 */
final class LanguageModelingTask implements TaskRunner {
    /** The usual test split of enwik8 and text8: their last 5,000,000 bytes (90M train, 5M valid, 5M test). */
    static final int RAW_TEST_BYTES = 5_000_000;

    /** How a test set is read and what its canonical unit is. */
    enum Corpus {
        WIKITEXT(Unit.PERPLEXITY, "words"),
        PTB(Unit.PERPLEXITY, "words"),
        ONE_BILLION_WORD(Unit.PERPLEXITY, "words"),
        ENWIK8(Unit.BITS_PER_BYTE, "bytes"),
        TEXT8(Unit.BITS_PER_CHARACTER, "characters");

        final Unit unit;
        final String unitName;

        Corpus(Unit unit, String unitName) {
            this.unit = unit;
            this.unitName = unitName;
        }
    }

    /** The text to score and how many canonical units the original holds. */
    record Text(String text, long units) {
    }

    private final Corpus corpus;

    LanguageModelingTask(Corpus corpus) {
        this.corpus = corpus;
    }

    /** Reads {@code file} as this corpus. */
    Text read(Path file, String expected) {
        return switch (corpus) {
            case WIKITEXT -> tokenized(file, expected, Detokenizer.WIKITEXT);
            case PTB -> tokenized(file, expected, Detokenizer.PTB);
            case ONE_BILLION_WORD -> tokenized(file, expected, Detokenizer.PTB_STYLE);
            case ENWIK8, TEXT8 -> raw(file, expected);
        };
    }

    private static Text tokenized(Path file, String expected, Detokenizer detokenizer) {
        List<String> lines = TextFile.lines(file, expected);
        long words = 0;
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            words += Words.countWithEndOfLine(line);
            out.add(detokenizer.line(line));
        }
        if (words == lines.size()) {
            throw EvalDataException.malformed(file, "holds no words; expected " + expected);
        }
        return new Text(String.join("\n", out), words);
    }

    private Text raw(Path file, String expected) {
        byte[] bytes = TextFile.tail(file, RAW_TEST_BYTES, expected);
        int start = 0;
        while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
            start++;   // a split inside a UTF-8 character: begin at the next character
        }
        // enwik8 is the first 10^8 bytes of a dump: its end may cut a character too, which is then left out
        int end = bytes.length;
        for (int k = 1; k <= 3 && k <= end - start; k++) {
            int b = bytes[end - k] & 0xFF;
            if ((b & 0xC0) != 0x80) {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (length > k) {
                    end -= k;
                }
                break;
            }
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        String text;
        try {
            text = decoder.decode(java.nio.ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw EvalDataException.malformed(file, "the test split is not UTF-8 text; expected " + expected);
        }
        if (text.isEmpty()) {
            throw EvalDataException.malformed(file, "is empty; expected " + expected);
        }
        long units = corpus == Corpus.ENWIK8 ? end - start : text.codePointCount(0, text.length());
        return new Text(text, units);
    }

    @Override
    public List<MetricValue> run(TaskContext ctx) {
        Text text = read(ctx.file(), ctx.task().data());
        int context = ctx.contextLength();
        int stride = ctx.options().stride() == 0 ? context / 2 : ctx.options().stride();
        int[] body = ctx.model().encode(text.text());
        int[] ids = Scoring.concat(new int[] {ctx.endOfText()}, body);
        List<SlidingWindows.Window> windows = SlidingWindows.plan(ids.length, context, stride);
        Monitor monitor = ctx.monitor();
        monitor.start(windows.size(), "windows");
        double[] nll = {0};
        long[] scored = {0};
        monitor.forEachBatch(windows, ctx.options().batchSize(), batch -> {
            List<int[]> sequences = new ArrayList<>(batch.size());
            for (SlidingWindows.Window w : batch) {
                sequences.add(java.util.Arrays.copyOfRange(ids, w.begin(), w.end()));
            }
            List<double[]> logProbs = Scoring.logProbs(ctx.model(), sequences);
            for (int i = 0; i < batch.size(); i++) {
                SlidingWindows.Window w = batch.get(i);
                nll[0] -= Scoring.sum(logProbs.get(i), w.scoreFrom() - w.begin(), w.end() - w.begin());
                scored[0] += w.scored();
            }
            return true;
        });
        return metrics(ctx, text, body.length, nll[0], scored[0], stride);
    }

    private List<MetricValue> metrics(TaskContext ctx, Text text, long tokens, double nll, long scored, int stride) {
        if (scored == 0) {
            return List.of();
        }
        double share = (double) scored / tokens;
        double units = text.units() * share;
        if (scored < tokens) {
            ctx.note(String.format(Locale.ROOT, "partial run: %d of %d tokens scored; the per-%s value divides by "
                    + "the same share of the %d %s (an estimate)", scored, tokens, singular(), text.units(),
                    corpus.unitName));
        }
        ctx.note(String.format(Locale.ROOT, "%d %s, %d tokens, sliding window of %d tokens with stride %d",
                text.units(), corpus.unitName, tokens, ctx.contextLength(), stride));
        List<MetricValue> out = new ArrayList<>();
        switch (corpus.unit) {
            case PERPLEXITY -> out.add(MetricValue.of("ppl", "perplexity per word of the original file",
                    Perplexity.perplexity(nll, units), Unit.PERPLEXITY));
            case BITS_PER_BYTE -> out.add(MetricValue.of("bpb", "bits per byte",
                    Perplexity.bitsPerUnit(nll, units), Unit.BITS_PER_BYTE));
            case BITS_PER_CHARACTER -> out.add(MetricValue.of("bpc", "bits per character",
                    Perplexity.bitsPerUnit(nll, units), Unit.BITS_PER_CHARACTER));
            default -> throw new IllegalStateException("unit " + corpus.unit);
        }
        out.add(MetricValue.of("ppl_token", "perplexity per GPT-2 token", Perplexity.perplexity(nll, scored),
                Unit.PERPLEXITY));
        out.add(MetricValue.of("tokens", "tokens scored", scored, Unit.COUNT));
        return out;
    }

    private String singular() {
        return corpus.unitName.substring(0, corpus.unitName.length() - 1);
    }
}
