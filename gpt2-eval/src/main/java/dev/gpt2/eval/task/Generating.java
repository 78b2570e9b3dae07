package dev.gpt2.eval.task;

import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationListener;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Sampling;
import dev.gpt2.api.StopReason;

import java.util.List;
import java.util.OptionalLong;

/** Batched generation helpers over the public API. */
final class Generating {
    private Generating() {
    }

    /** Greedy decoding of at most {@code maxNewTokens}, ending at {@code <|endoftext|>} and at the stop strings. */
    static GenerationOptions greedy(int maxNewTokens, List<String> stopStrings) {
        return new GenerationOptions(maxNewTokens, Sampling.greedy(), OptionalLong.of(0), stopStrings, true,
                dev.gpt2.api.ContextPolicy.FAIL);
    }

    /** A request that stops when the evaluation is stopped. */
    static GenerationRequest request(int[] prompt, GenerationOptions options, Monitor monitor) {
        return new GenerationRequest(prompt, options, GenerationListener.none(), monitor.cancellation());
    }

    /** Whether every generation ran to its own end (none was cut short by a stop). */
    static boolean complete(List<Generation> generations) {
        return generations.stream().noneMatch(g -> g.stopReason() == StopReason.CANCELLED);
    }
}
