/**
 * The GPT-2 graph: configuration, checkpoint loading (Hugging Face safetensors, llm.c), the forward pass through
 * whichever backend is on the module path, generation and scoring. Start at {@link dev.gpt2.core.Gpt2}.
 *
 * @uses dev.gpt2.api.spi.BackendProvider
 */
module dev.gpt2.core {
    requires transitive dev.gpt2.api;
    requires transitive dev.gpt2.tokenizer;
    requires tools.jackson.core;

    exports dev.gpt2.core;

    uses dev.gpt2.api.spi.BackendProvider;
}
