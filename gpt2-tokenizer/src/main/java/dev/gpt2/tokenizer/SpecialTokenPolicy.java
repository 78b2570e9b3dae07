package dev.gpt2.tokenizer;

import java.util.Set;

/**
 * How {@link Gpt2Tokenizer#encode(String, SpecialTokenPolicy)} treats special tokens such as {@code <|endoftext|>}
 * found in the text. A special token never comes out of ordinary text: it is either recognised (its one id), or an
 * error, or spelled out as ordinary text.
 *
 * <pre>{@code
 * var gpt2 = Gpt2Tokenizer.gpt2();
 * gpt2.encode("a<|endoftext|>", SpecialTokenPolicy.allowAll());   // [64, 50256]
 * gpt2.encode("a<|endoftext|>", SpecialTokenPolicy.ordinary());   // [64, 27, 91, 437, 1659, 5239, 91, 29]
 * gpt2.encode("a<|endoftext|>", SpecialTokenPolicy.disallowAll()); // DisallowedSpecialTokenException, offset 1
 * }</pre>
 */
public sealed interface SpecialTokenPolicy {

    /** Every special token is ordinary text, as in OpenAI's {@code encoder.py} (tiktoken's {@code encode_ordinary}). */
    static SpecialTokenPolicy ordinary() {
        return new Ordinary();
    }

    /** Every special token of the vocabulary becomes its id. */
    static SpecialTokenPolicy allowAll() {
        return new AllowAll();
    }

    /** The special tokens named become their ids; any other special token in the text is an error. */
    static SpecialTokenPolicy allow(String... tokens) {
        return new Allow(Set.of(tokens));
    }

    /** Any special token in the text is an error (tiktoken's default for {@code encode}). */
    static SpecialTokenPolicy disallowAll() {
        return new Allow(Set.of());
    }

    /** Every special token is ordinary text. */
    record Ordinary() implements SpecialTokenPolicy {
    }

    /** Every special token of the vocabulary becomes its id. */
    record AllowAll() implements SpecialTokenPolicy {
    }

    /**
     * The special tokens in {@code tokens} become their ids; any other special token found in the text makes encoding
     * fail with {@link DisallowedSpecialTokenException}. Naming a token that is not special in the vocabulary is an
     * {@link IllegalArgumentException} when encoding.
     */
    record Allow(Set<String> tokens) implements SpecialTokenPolicy {
        /** Copies the set. */
        public Allow {
            tokens = Set.copyOf(tokens);
        }
    }
}
