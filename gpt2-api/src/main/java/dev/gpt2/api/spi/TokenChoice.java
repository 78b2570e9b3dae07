package dev.gpt2.api.spi;

/**
 * How to choose the token of one row of logits; see {@link dev.gpt2.api.Sampling} for the semantics, which
 * {@link HostSampler} implements and every backend must reproduce.
 *
 * @param temperature 0 for greedy (argmax, lowest id on a tie), else positive
 * @param topK        0 for no top-k cut
 * @param topP        1 for no nucleus cut
 * @param uniform     the random draw in [0, 1) that picks among what is left; ignored by greedy
 */
public record TokenChoice(double temperature, int topK, double topP, double uniform) {

    /** Greedy. */
    public static final TokenChoice GREEDY = new TokenChoice(0, 0, 1, 0);

    /** Whether this choice is greedy (temperature 0). */
    public boolean greedy() {
        return temperature == 0;
    }
}
