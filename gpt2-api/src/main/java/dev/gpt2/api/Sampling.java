package dev.gpt2.api;

/**
 * How the next token is chosen from the logits.
 *
 * <p>{@link Greedy} takes the most probable token (the lowest id on a tie). {@link Random} divides the logits by the
 * temperature, keeps the {@code topK} most probable tokens (0 keeps all), then the smallest set of the most probable
 * ones whose probability reaches {@code topP} (1 keeps all), and draws from what is left with the generation's seeded
 * random stream.
 */
public sealed interface Sampling permits Sampling.Greedy, Sampling.Random {

    /** Always the most probable token. */
    record Greedy() implements Sampling {
    }

    /**
     * Temperature, top-k and top-p (nucleus) sampling.
     *
     * @param temperature positive; 1 keeps the model's distribution, lower is sharper (however small, it only
     *                    concentrates the mass on the largest logits)
     * @param topK        0 for no top-k cut, else at least 1 (a k beyond the vocabulary cuts nothing)
     * @param topP        in (0, 1]; 1 for no nucleus cut
     */
    record Random(double temperature, int topK, double topP) implements Sampling {
        /** Checks the three values: {@link IllegalArgumentException} naming the one out of range. */
        public Random {
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException(
                        "temperature must be a positive number, got " + temperature + " (use greedy for 0)");
            }
            if (topK < 0) {
                throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top-p must be within (0, 1], got " + topP);
            }
        }
    }

    /** Always the most probable token. */
    static Sampling greedy() {
        return new Greedy();
    }

    /**
     * Temperature, then top-k, then top-p; {@code random(1, 0, 1)} samples the model's distribution as it is.
     *
     * @throws IllegalArgumentException when a value is out of the range {@link Random} documents
     */
    static Sampling random(double temperature, int topK, double topP) {
        return new Random(temperature, topK, topP);
    }
}
