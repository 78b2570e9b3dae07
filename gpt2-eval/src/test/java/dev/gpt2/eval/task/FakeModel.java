package dev.gpt2.eval.task;

import dev.gpt2.api.DType;
import dev.gpt2.api.GeneratedToken;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelInfo;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.StopReason;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A language model whose every probability can be worked out by hand, for testing the harness without weights.
 *
 * <p>Tokens are GPT-2-like pieces ({@code " word"}, {@code "."}, {@code "\n"}), numbered in order of first sight from
 * id 1; id 0 is {@code <|endoftext|>}. The next token depends on the previous one only: its preferred successors
 * (set with {@link #prefer}) get probabilities 1/2, 1/4, ..., the rest of the mass is spread evenly over the other
 * ids. Sequences longer than the context fail, so tests see any window that does not fit. Generation always takes
 * the most probable token, whatever the sampling options (TinyGpt2Test checks sampled tasks through a real model);
 * scoring options it does not implement fail rather than be ignored.
 */
public final class FakeModel implements LanguageModel {
    public static final int VOCAB = 256;
    private static final Pattern PIECES = Pattern.compile("<\\|endoftext\\|>| ?[\\p{L}\\p{N}']+| ?[^\\s\\p{L}\\p{N}]+|\\s+");

    private final int context;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> pieces = new ArrayList<>();
    private final Map<Integer, int[]> preferred = new HashMap<>();
    public final List<Integer> scoreBatchSizes = new ArrayList<>();
    public int longestScored;
    private ModelConfig reported;

    public FakeModel(int context) {
        this.context = context;
        pieces.add("<|endoftext|>");
        ids.put("<|endoftext|>", 0);
    }

    /** Reports {@code config} from {@link #info()} (to look like a released size); the context stays. */
    public FakeModel reporting(ModelConfig config) {
        this.reported = config;
        return this;
    }

    /** After {@code previous}, the pieces {@code next} are the most probable, in that order. */
    public FakeModel prefer(String previous, String... next) {
        int[] n = new int[next.length];
        for (int i = 0; i < next.length; i++) {
            n[i] = id(next[i]);
        }
        preferred.put(id(previous), n);
        return this;
    }

    public synchronized int id(String piece) {
        return ids.computeIfAbsent(piece, p -> {
            if (pieces.size() == VOCAB) {
                throw new IllegalStateException("fake vocabulary full");
            }
            pieces.add(p);
            return pieces.size() - 1;
        });
    }

    /** ln p(next | previous). */
    public double logProb(int previous, int next) {
        int[] pref = preferred.getOrDefault(previous, new int[0]);
        for (int i = 0; i < pref.length; i++) {
            if (pref[i] == next) {
                return -(i + 1) * Math.log(2);
            }
        }
        return -pref.length * Math.log(2) - Math.log(VOCAB - pref.length);
    }

    @Override
    public ModelInfo info() {
        ModelConfig config = reported != null ? reported : new ModelConfig(1, 8, 1, context, VOCAB, 32, 1e-5f);
        return new ModelInfo("fake", config, DType.F32, DType.F32, "fake", "test");
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            out.add(id(m.group()));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append(pieces.get(t));
        }
        return sb.toString();
    }

    private int greedy(int previous) {
        int[] pref = preferred.getOrDefault(previous, new int[0]);
        return pref.length > 0 ? pref[0] : 0;
    }

    @Override
    public Generation generate(GenerationRequest request) {
        int[] prompt = request.promptIds();
        var options = request.options();
        if (prompt.length + options.maxNewTokens() > context) {
            throw new Gpt2Exception(Gpt2Exception.Kind.CONTEXT_OVERFLOW, "prompt " + prompt.length + " + "
                    + options.maxNewTokens() + " new tokens > context " + context);
        }
        List<Integer> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int previous = prompt[prompt.length - 1];
        StopReason reason = StopReason.MAX_TOKENS;
        for (int i = 0; i < options.maxNewTokens(); i++) {
            if (request.cancellation().isCancelled()) {
                reason = StopReason.CANCELLED;
                break;
            }
            int next = greedy(previous);
            out.add(next);
            if (next == 0 && options.stopAtEndOfText()) {
                reason = StopReason.END_OF_TEXT;
                break;
            }
            text.append(pieces.get(next));
            String stop = options.stopStrings().stream().filter(s -> text.indexOf(s) >= 0).findFirst().orElse(null);
            if (stop != null) {
                text.setLength(text.indexOf(stop));
                reason = StopReason.STOP_STRING;
                break;
            }
            request.listener().onToken(new GeneratedToken(i, next, pieces.get(next)));
            previous = next;
        }
        return new Generation(out.stream().mapToInt(Integer::intValue).toArray(), text.toString(), reason,
                options.seed().orElse(0), new Generation.Timings(prompt.length, 0, out.size(), 0));
    }

    @Override
    public List<Generation> generateBatch(List<GenerationRequest> requests) {
        return requests.stream().map(this::generate).toList();
    }

    @Override
    public Score score(int[] tokens, ScoreOptions options) {
        if (tokens.length > context) {
            throw new Gpt2Exception(Gpt2Exception.Kind.CONTEXT_OVERFLOW, tokens.length + " ids > context " + context);
        }
        if (options.prependEndOfText()) {
            throw new UnsupportedOperationException("the fake model does not prepend <|endoftext|>");
        }
        longestScored = Math.max(longestScored, tokens.length);
        double[] lp = new double[tokens.length];
        double nll = 0;
        lp[0] = Double.NaN;
        for (int t = 1; t < tokens.length; t++) {
            lp[t] = logProb(tokens[t - 1], tokens[t]);
            nll -= lp[t];
        }
        return new Score(tokens.length, tokens.length - 1, nll, options.tokenLogProbs() ? lp : new double[0],
                OptionalDouble.empty());
    }

    @Override
    public Score score(String text, ScoreOptions options) {
        Score s = score(encode(text), options);
        return new Score(s.tokens(), s.scoredTokens(), s.nllSum(), s.tokenLogProbs(),
                OptionalDouble.of(text.getBytes(StandardCharsets.UTF_8).length));
    }

    @Override
    public List<Score> scoreBatch(List<int[]> sequences, ScoreOptions options) {
        scoreBatchSizes.add(sequences.size());
        return sequences.stream().map(s -> score(s, options)).toList();
    }

    @Override
    public float[] nextTokenLogits(int[] tokens) {
        float[] logits = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            logits[i] = (float) logProb(tokens[tokens.length - 1], i);
        }
        return logits;
    }

    /** {@code first} followed by {@code ids}. */
    public static int[] prepend(int first, int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = first;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public void close() {
    }
}
