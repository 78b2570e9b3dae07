package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.HostSampler;
import dev.gpt2.api.spi.KvCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding one token at a time against the KV cache gives what recomputing the whole sequence gives, also for several
 * sequences of different lengths decoded together in one ragged batch, and for a prompt prefilled in several passes.
 */
class KvCacheTest {
    private static final ModelConfig C = TestCheckpoints.SMALL;

    @TempDir
    Path dir;

    @Test
    void decodeEqualsRecomputation() {
        Path folder = TestCheckpoints.folder(dir.resolve("m"), C, TestCheckpoints.weights(C, 5), DType.F32, "");
        try (Gpt2Model model = Gpt2.load(folder.toString(), Fixtures.reference())) {
            Forward forward = model.forward();
            int[][] prompts = {{1, 2, 3}, {250}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12}};
            int steps = 10;
            List<Lane> lanes = new ArrayList<>();
            List<int[]> sequences = new ArrayList<>();
            for (int[] p : prompts) {
                KvCache cache = forward.backend().allocateCache(C.nLayer(), C.nHead(), C.headDim(), p.length + steps);
                Lane lane = new Lane(cache);
                lane.feed(p);
                lanes.add(lane);
                sequences.add(p);
            }
            // a workspace of 5 rows: the prompts prefill over several passes
            Workspace ws = Workspace.allocate(forward.backend(), C, 5, 2);
            float[][] logits = new float[prompts.length][C.vocabSize()];
            for (int step = 0; step < steps; step++) {
                forward.run(ws, lanes, (tensor, rows) -> {
                    for (int i = 0; i < rows.size(); i++) {
                        forward.backend().read(tensor, i, 1, logits[rows.get(i).lane()]);
                    }
                });
                for (int s = 0; s < prompts.length; s++) {
                    float[] full = model.nextTokenLogits(sequences.get(s));
                    assertArrayEquals(full, logits[s], 1e-5f, "sequence " + s + ", step " + step);
                    int next = HostSampler.argmax(logits[s]);
                    int[] seq = Arrays.copyOf(sequences.get(s), sequences.get(s).length + 1);
                    seq[seq.length - 1] = next;
                    sequences.set(s, seq);
                    lanes.get(s).feed(next);
                }
            }
            assertEquals(prompts[2].length + steps, lanes.get(2).past + 1);
            ws.close();
            lanes.forEach(l -> l.cache.close());
        }
    }
}
