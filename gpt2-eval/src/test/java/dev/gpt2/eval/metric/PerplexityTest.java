package dev.gpt2.eval.metric;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PerplexityTest {
    @Test
    void perplexityAndBitsPerUnit() {
        // a uniform choice among 8 at each of 3 units: NLL 3 ln 8, perplexity 8, 3 bits per unit
        double nll = 3 * Math.log(8);
        assertEquals(8, Perplexity.perplexity(nll, 3), 1e-12);
        assertEquals(3, Perplexity.bitsPerUnit(nll, 3), 1e-12);
        // per word instead of per token: 6 tokens' NLL over 3 words squares the per-token perplexity
        assertEquals(64, Perplexity.perplexity(6 * Math.log(8), 3), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Perplexity.perplexity(1, 0));
    }
}
