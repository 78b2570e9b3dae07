package dev.gpt2.core;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.LoadOptions;

/**
 * Loads GPT-2 models.
 *
 * <p>CONTRACT FOR THE SKELETON: the implementation replaces this body.
 */
public final class Gpt2 {
    private Gpt2() {
    }

    /**
     * Loads a model: a Hugging Face folder, a {@code .safetensors} file, an llm.c {@code .bin} checkpoint, or
     * {@code random:124M|355M|774M|1558M}.
     */
    public static LanguageModel load(String model, LoadOptions options) {
        throw new UnsupportedOperationException("skeleton");
    }
}
