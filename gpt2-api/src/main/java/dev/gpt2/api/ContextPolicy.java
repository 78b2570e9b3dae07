package dev.gpt2.api;

/** What generation does when prompt plus new tokens would pass the model's context ({@code n_positions}). */
public enum ContextPolicy {
    /**
     * Refuse up front with a {@link Gpt2Exception.Kind#CONTEXT_OVERFLOW} that names the lengths. The default: a
     * silently shortened context changes what the model sees.
     */
    FAIL,
    /**
     * Keep going with a sliding context: when the sequence fills the context (or the prompt alone is longer), only
     * its last {@code n_positions / 2} tokens are kept and recomputed, and generation goes on from there. GPT-2's
     * learned absolute positions rule out shifting the cached keys, so each slide costs one prefill of half a context.
     */
    SLIDE
}
