package dev.gpt2.api;

import java.util.Objects;

/**
 * One generation to run: a prompt, the options, where to stream the tokens and how to cancel.
 *
 * @param promptIds    the prompt's token ids; at least one
 * @param options      what to generate
 * @param listener     receives each token as it is produced
 * @param cancellation stops the generation when cancelled
 */
public record GenerationRequest(int[] promptIds, GenerationOptions options, GenerationListener listener,
                                Cancellation cancellation) {

    /** Checks that nothing is null and the prompt is not empty; copies the prompt. */
    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(cancellation, "cancellation");
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (for an unconditional"
                    + " sample use <|endoftext|>, id 50256)");
        }
        promptIds = promptIds.clone();
    }

    /** A request without streaming or cancellation. */
    public static GenerationRequest of(int[] promptIds, GenerationOptions options) {
        return new GenerationRequest(promptIds, options, GenerationListener.none(), new Cancellation());
    }

    /** A copy of the prompt. */
    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }
}
