package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The FLOPs and bytes behind every rate that bench and the benchmarks report, counted by hand on small shapes. */
class WorkloadTest {

    @Test
    void weightBytesPerToken() {
        ModelConfig c = ModelSize.GPT2_124M.config();
        // every parameter but the 1023 rows of wpe a step does not read
        long read = c.parameterCount() - 1023L * 768;
        assertEquals(4 * read, Workload.weightBytesPerToken(c, DType.F32));
        long vectors = 12 * (2 * 768 + 3 * 768 + 768 + 2 * 768 + 3072 + 768) + 2 * 768;
        long matrices = read - vectors;
        assertEquals(2 * matrices + 4 * vectors, Workload.weightBytesPerToken(c, DType.BF16));
        assertEquals(matrices + matrices / 32 * 4 + 4 * vectors, Workload.weightBytesPerToken(c, DType.Q8_0));
    }

    @Test
    void prefillFlops() {
        ModelConfig c = new ModelConfig(2, 4, 2, 16, 10, 16, 1e-5f);
        // matmuls 2 * 3 tokens * 2 layers * (48 + 16 + 128) + attention 4 * 4 * 2 * 6 + logits 2 * 10 * 4
        assertEquals(2 * 3 * 2 * 192 + 4 * 4 * 2 * 6 + 80, Workload.prefillFlops(c, 3));
    }

    @Test
    void attentionAfterACache() {
        ModelConfig c = new ModelConfig(2, 4, 2, 16, 10, 16, 1e-5f);
        // 2 new rows after 5 cached positions see 6 and 7 positions: 4 flops * C 4 * 2 layers * 13
        assertEquals(4 * 4 * 2 * 13, Workload.attentionFlops(c, 2, 5));
        // one step at 7 positions: k and v of 2 layers, 7 positions, 4 floats of 4 bytes
        assertEquals(2 * 2 * 7 * 4 * 4, Workload.kvCacheBytes(c, 7));
        assertEquals(Workload.weightBytesPerToken(c, DType.F32) + 448, Workload.decodeBytesPerToken(c, DType.F32, 7));
    }

    @Test
    void matrices() {
        assertEquals(2.0 * 3 * 4 * 5, Workload.matmulFlops(3, 4, 5));
        assertEquals(64 * 2, Workload.matrixBytes(64, DType.BF16));
        assertEquals(64 + 2 * 4, Workload.matrixBytes(64, DType.Q8_0));
    }
}
