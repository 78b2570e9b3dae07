package dev.gpt2.core;

import dev.gpt2.api.ScoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of every checkpoint in testdata/models against the numbers of an independent numpy GPT-2: nll_sum,
 * last-position logits, hidden states (greedy continuations are in {@link GenerationTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceCasesTest {
    private static final List<String> MODELS = List.of("tiny-a", "tiny-b");
    private Map<String, Gpt2Model> models;

    @BeforeAll
    void load() {
        models = Map.of("tiny-a", Gpt2.load(Fixtures.model("tiny-a").toString(), Fixtures.reference()),
                "tiny-b", Gpt2.load(Fixtures.model("tiny-b").toString(), Fixtures.reference()));
    }

    @AfterAll
    void close() {
        models.values().forEach(Gpt2Model::close);
    }

    @Test
    void nllSumMatchesNumpy() {
        for (String name : MODELS) {
            for (Fixtures.Case c : Fixtures.cases(name)) {
                double nll = models.get(name).score(c.ids(), ScoreOptions.defaults()).nllSum();
                assertEquals(c.nllSum(), nll, 1e-4 * Math.max(1, Math.abs(c.nllSum())),
                        name + " case of " + c.ids().length + " tokens");
            }
        }
    }

    @Test
    void lastLogitsMatchNumpy() {
        for (String name : MODELS) {
            for (Fixtures.Case c : Fixtures.cases(name)) {
                float[] logits = models.get(name).nextTokenLogits(c.ids());
                double diff = Fixtures.maxAbsDiff(c.lastLogits(), logits);
                assertTrue(diff <= 1e-3, name + " case of " + c.ids().length + " tokens: max |diff| " + diff);
            }
        }
    }

    @Test
    void hiddenStatesMatchNumpy() {
        for (String name : MODELS) {
            Gpt2Model model = models.get(name);
            Fixtures.Case c = Fixtures.cases(name).stream().filter(x -> x.hiddenAfterLayer().length > 0)
                    .findFirst().orElseThrow();
            int layers = model.config().nLayer();
            assertEquals(layers, c.hiddenAfterLayer().length);
            float[][] seen = new float[layers + 2][];
            model.forward().observer((stage, hidden, rows) -> {
                float[] last = new float[hidden.cols()];
                model.forward().backend().read(hidden, rows - 1, 1, last);
                seen[stage + 1] = last;
            });
            try {
                model.nextTokenLogits(c.ids());
            } finally {
                model.forward().observer(null);
            }
            assertTrue(Fixtures.maxAbsDiff(c.hiddenAfterEmbedding(), seen[0]) <= 1e-3, name + " embedding");
            for (int l = 0; l < layers; l++) {
                double diff = Fixtures.maxAbsDiff(c.hiddenAfterLayer()[l], seen[l + 1]);
                assertTrue(diff <= 1e-3, name + " after block " + l + ": max |diff| " + diff);
            }
            assertTrue(Fixtures.maxAbsDiff(c.hiddenAfterLnF(), seen[layers + 1]) <= 1e-3, name + " after ln_f");
        }
    }
}
