package dev.gpt2.core;

import dev.gpt2.api.LoadOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The reference checkpoints of testdata/models and their cases (numbers from an independent numpy GPT-2). */
final class Fixtures {
    private Fixtures() {
    }

    static Path testdata() {
        return Path.of(System.getProperty("gpt2.testdata", "../testdata"));
    }

    static Path model(String name) {
        return testdata().resolve("models").resolve(name);
    }

    /** Loads on the reference backend (the oracle: double accumulation). */
    static LoadOptions reference() {
        return LoadOptions.defaults().withBackend("reference");
    }

    /**
     * One case of cases.json.
     *
     * @param hiddenAfterLayer empty unless the case carries hidden states
     */
    record Case(int[] ids, double nllSum, double[] lastLogits, int[] prompt, int[] continuation, double minMargin,
                double[] hiddenAfterEmbedding, double[][] hiddenAfterLayer, double[] hiddenAfterLnF, String text) {
    }

    static List<Case> cases(String name) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(model(name).resolve("cases.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(bytes, "cases.json")) {
            Map<String, Object> c = Json.object(o, "case");
            Map<String, Object> greedy = Json.object(c.get("greedy"), "greedy");
            List<?> layers = (List<?>) c.get("hidden_after_layer");
            double[][] hidden = new double[layers == null ? 0 : layers.size()][];
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = doubles(layers.get(i));
            }
            cases.add(new Case(ints(c.get("ids")), ((Number) c.get("nll_sum")).doubleValue(),
                    doubles(c.get("last_logits")), ints(greedy.get("prompt")), ints(greedy.get("continuation")),
                    ((Number) greedy.get("min_margin")).doubleValue(), doubles(c.get("hidden_after_embedding")),
                    hidden, doubles(c.get("hidden_after_ln_f")), (String) c.get("text")));
        }
        return cases;
    }

    static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    static double[] doubles(Object list) {
        return list == null ? new double[0]
                : ((List<?>) list).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    static double maxAbsDiff(double[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + ", expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
