package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bytes of weights one decode step reads: the numerator of the decode bound that bench reports. */
class ModelWeightsTest {

    @Test
    void bytesReadPerToken() {
        ModelConfig c = ModelSize.GPT2_124M.config();
        // every parameter but the 1023 rows of wpe a step does not read
        long read = c.parameterCount() - 1023L * 768;
        assertEquals(4 * read, ModelWeights.bytesReadPerToken(c, DType.F32));
        long vectors = 12 * (2 * 768 + 3 * 768 + 768 + 2 * 768 + 3072 + 768) + 2 * 768;
        long matrices = read - vectors;
        assertEquals(2 * matrices + 4 * vectors, ModelWeights.bytesReadPerToken(c, DType.BF16));
        assertEquals(matrices + matrices / 32 * 4 + 4 * vectors, ModelWeights.bytesReadPerToken(c, DType.Q8_0));
    }
}
