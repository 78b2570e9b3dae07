package dev.gpt2.benchmarks;

import dev.gpt2.api.Cancellation;
import dev.gpt2.api.ContextPolicy;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.Sampling;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;

/**
 * A greedy generation on a thread of its own that decodes only when told to, so that a benchmark times decode steps
 * without the prefill before them. The listener of the generation counts each token out and, before the next step,
 * waits for a permit.
 */
final class SteppedGeneration implements AutoCloseable {
    private static final int UNBLOCK_ALL = 1 << 30;

    private final Semaphore permits = new Semaphore(0);
    private final Semaphore produced = new Semaphore(0);
    private final Cancellation cancellation = new Cancellation();
    private final Thread thread;
    private volatile Throwable failure;

    /** Starts generating {@code steps} tokens after the prompt and returns once the prefill is done. */
    SteppedGeneration(LanguageModel model, int[] prompt, int steps) {
        // token 0 comes from the prefill; tokens 1..steps each from one decode step
        GenerationOptions options = new GenerationOptions(steps + 1, Sampling.greedy(), OptionalLong.of(1), List.of(),
                false, ContextPolicy.FAIL);
        GenerationRequest request = new GenerationRequest(prompt, options, token -> {
            produced.release();
            if (token.index() < steps) {
                permits.acquireUninterruptibly();
            }
        }, cancellation);
        thread = Thread.ofPlatform().name("stepped-generation").daemon().start(() -> {
            try {
                model.generate(request);
            } catch (Throwable e) {
                failure = e;
            } finally {
                produced.release(UNBLOCK_ALL);
            }
        });
        await(1);
    }

    /** Lets {@code n} decode steps run and returns when they are done. */
    void step(int n) {
        permits.release(n);
        await(n);
    }

    private void await(int tokens) {
        produced.acquireUninterruptibly(tokens);
        if (failure != null) {
            throw new IllegalStateException("the generation failed: " + failure, failure);
        }
    }

    /** Stops the generation where it is and waits for its thread. */
    @Override
    public void close() {
        cancellation.cancel();
        permits.release(UNBLOCK_ALL);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
