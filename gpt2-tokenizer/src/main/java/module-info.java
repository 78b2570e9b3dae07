/**
 * GPT-2's byte-level BPE tokenizer ("r50k_base"), bit-exact with OpenAI's {@code encoder.py}; no dependencies
 * outside the JDK. Start at {@link dev.gpt2.tokenizer.Gpt2Tokenizer}.
 */
module dev.gpt2.tokenizer {
    exports dev.gpt2.tokenizer;
}
