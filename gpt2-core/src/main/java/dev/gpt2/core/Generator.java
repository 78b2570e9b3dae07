package dev.gpt2.core;

import dev.gpt2.api.ContextPolicy;
import dev.gpt2.api.GeneratedToken;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.StopReason;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.TokenChoice;
import dev.gpt2.tokenizer.Gpt2Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs generations: prefill of each prompt, then one token per step against each sequence's KV cache, the token
 * chosen by {@link Backend#chooseTokens} from a seeded {@link SplitMix64} draw, with streaming, stop conditions and
 * cancellation. Several requests run together, their forward passes batched; each gets what it gets alone.
 */
final class Generator {
    private final Gpt2Model model;
    private final Forward forward;
    private final ModelConfig config;

    Generator(Gpt2Model model, Forward forward) {
        this.model = model;
        this.forward = forward;
        this.config = forward.config();
    }

    /** One request's state while it runs. */
    private final class Sequence {
        final GenerationRequest request;
        final GenerationOptions options;
        final long seed;
        final SplitMix64 random;
        final TextStream text;
        final Lane lane;
        final int promptLength;
        int[] tokens;           // the prompt, then the generated tokens (grown as needed)
        int length;
        int generated;
        int chosen;
        double chosenLogProb;
        double[] logProbs;      // ln p of each generated token, when the options ask for them
        StopReason stop;
        int prefillTokens;
        int decodeTokens;
        long prefillNanos;
        long decodeNanos;

        Sequence(GenerationRequest request, Lane lane, Gpt2Tokenizer tokenizer) {
            this.request = request;
            this.options = request.options();
            this.seed = options.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
            this.random = new SplitMix64(seed);
            this.text = new TextStream(tokenizer.streamingDecoder(), tokenizer.vocabSize(), options.stopStrings());
            this.lane = lane;
            int[] prompt = request.promptIds();
            this.promptLength = prompt.length;
            this.tokens = Arrays.copyOf(prompt, prompt.length + Math.min(options.maxNewTokens(), 1024));
            this.length = prompt.length;
            this.logProbs = new double[options.tokenLogProbs() ? tokens.length - prompt.length : 0];
            int start = prompt.length > config.nPositions() ? prompt.length - keptOnSlide() : 0;
            lane.feed(Arrays.copyOfRange(prompt, start, prompt.length));
        }

        TokenChoice choice() {
            return switch (options.sampling()) {
                case Sampling.Greedy g -> TokenChoice.GREEDY;
                case Sampling.Random r -> new TokenChoice(r.temperature(), r.topK(), r.topP(), random.nextDouble());
            };
        }

        boolean cancelled() {
            return request.cancellation().isCancelled() || Thread.currentThread().isInterrupted();
        }

        /** Takes the chosen token: streams it, checks the stop conditions, and queues it for the next step. */
        void accept(int token) {
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, 2 * length);
            }
            if (options.tokenLogProbs()) {
                if (generated == logProbs.length) {
                    logProbs = Arrays.copyOf(logProbs, Math.max(16, 2 * generated));
                }
                logProbs[generated] = chosenLogProb;
            }
            tokens[length++] = token;
            generated++;
            String piece;
            if (options.stopAtEndOfText() && token == Gpt2Tokenizer.END_OF_TEXT) {
                piece = text.finish();
                stop = text.stopped() ? StopReason.STOP_STRING : StopReason.END_OF_TEXT;
            } else {
                piece = text.push(token);
                if (text.stopped()) {
                    stop = StopReason.STOP_STRING;
                } else if (generated == options.maxNewTokens()) {
                    piece += text.finish();
                    // the held-back tail, flushed, may complete a stop string
                    stop = text.stopped() ? StopReason.STOP_STRING : StopReason.MAX_TOKENS;
                } else if (cancelled()) {
                    piece += text.finish();
                    stop = StopReason.CANCELLED;
                }
            }
            request.listener().onToken(new GeneratedToken(generated - 1, token, piece));
            if (stop == null) {
                if (lane.past == lane.cache.capacity()) {
                    // the context is full (ContextPolicy.SLIDE): recompute the last half from position 0
                    lane.past = 0;
                    lane.feed(Arrays.copyOfRange(tokens, length - keptOnSlide(), length));
                } else {
                    lane.feed(token);
                }
            }
        }

        Generation result() {
            return new Generation(Arrays.copyOfRange(tokens, promptLength, length), text.text(), stop, seed,
                    new Generation.Timings(prefillTokens, prefillNanos, decodeTokens, decodeNanos),
                    Arrays.copyOf(logProbs, options.tokenLogProbs() ? generated : 0));
        }
    }

    private int keptOnSlide() {
        return Math.max(1, config.nPositions() / 2);
    }

    /** Runs every request to its end and returns the results in order. */
    List<Generation> run(List<GenerationRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        for (GenerationRequest r : requests) {
            check(r);
        }
        Gpt2Tokenizer tokenizer = model.tokenizer();
        List<Sequence> all = new ArrayList<>();
        Workspace ws = null;
        try {
            int promptRows = 0;
            for (GenerationRequest r : requests) {
                Lane lane = new Lane(forward.backend().allocateCache(config.nLayer(), config.nHead(),
                        config.headDim(), cacheCapacity(r)));
                try {
                    all.add(new Sequence(r, lane, tokenizer));
                } catch (RuntimeException e) {
                    lane.cache.close();
                    throw e;
                }
                promptRows += all.getLast().lane.pending.length;
            }
            ws = model.workspace(Math.max(Math.min(promptRows, model.rowCap()), all.size()), all.size());
            List<Sequence> active = new ArrayList<>();
            for (Sequence s : all) {
                if (s.cancelled()) {
                    s.stop = StopReason.CANCELLED;
                } else {
                    active.add(s);
                }
            }
            boolean first = true;
            while (!active.isEmpty()) {
                step(ws, active, first);
                first = false;
                active.removeIf(s -> s.stop != null);
            }
            return all.stream().map(Sequence::result).toList();
        } finally {
            model.release(ws);
            for (Sequence s : all) {
                s.lane.cache.close();
            }
        }
    }

    /** One forward pass of every active sequence (a prefill for some, a decode step for others), then the tokens. */
    private void step(Workspace ws, List<Sequence> active, boolean first) {
        List<Lane> lanes = new ArrayList<>(active.size());
        boolean[] prefill = new boolean[active.size()];
        int[] fed = new int[active.size()];
        for (int i = 0; i < active.size(); i++) {
            Lane lane = active.get(i).lane;
            lanes.add(lane);
            fed[i] = lane.pending.length;
            prefill[i] = first || fed[i] > 1;
        }
        long start = System.nanoTime();
        forward.run(ws, lanes, (logits, rows) -> {
            TokenChoice[] choices = new TokenChoice[rows.size()];
            for (int i = 0; i < choices.length; i++) {
                choices[i] = active.get(rows.get(i).lane()).choice();
            }
            int[] chosen = forward.backend().chooseTokens(logits, choices);
            double[] logProbs = new double[chosen.length];
            if (rows.stream().anyMatch(r -> active.get(r.lane()).options.tokenLogProbs())) {
                forward.backend().tokenLogProbs(logits, chosen, logProbs);
            }
            for (int i = 0; i < choices.length; i++) {
                Sequence s = active.get(rows.get(i).lane());
                s.chosen = chosen[i];
                s.chosenLogProb = logProbs[i];
            }
        });
        for (Sequence s : active) {
            s.accept(s.chosen);
        }
        long nanos = System.nanoTime() - start;
        for (int i = 0; i < active.size(); i++) {
            Sequence s = active.get(i);
            if (prefill[i]) {
                s.prefillTokens += fed[i];
                s.prefillNanos += nanos;
            } else {
                s.decodeTokens += fed[i];
                s.decodeNanos += nanos;
            }
        }
    }

    private void check(GenerationRequest r) {
        int[] prompt = r.promptIds();
        model.checkIds(prompt, "the prompt");
        int max = r.options().maxNewTokens();
        if (r.options().contextPolicy() == ContextPolicy.FAIL && (long) prompt.length + max > config.nPositions()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.CONTEXT_OVERFLOW, "the prompt (" + prompt.length
                    + " tokens) plus " + max + (max == 1 ? " new token" : " new tokens") + " is "
                    + (prompt.length + max) + ", more than the model's context of " + config.nPositions()
                    + " positions: shorten the prompt, ask for fewer new tokens, or ask for a sliding context"
                    + " (ContextPolicy.SLIDE; --slide on the command line)");
        }
    }

    /** FAIL: the prompt and every new token but the last (never fed back); SLIDE: the whole context. */
    private int cacheCapacity(GenerationRequest r) {
        return r.options().contextPolicy() == ContextPolicy.FAIL
                ? r.promptIds().length + r.options().maxNewTokens() - 1
                : config.nPositions();
    }
}
