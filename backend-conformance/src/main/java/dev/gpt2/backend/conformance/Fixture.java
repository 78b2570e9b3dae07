package dev.gpt2.backend.conformance;

import tools.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A reference checkpoint of {@code testdata/models} and its cases: numbers from an independent numpy GPT-2 (see the
 * README there).
 *
 * @param name   the folder's name ({@code tiny-a})
 * @param folder the Hugging Face folder: config.json, model.safetensors, cases.json
 * @param cases  the cases of cases.json, in order
 */
record Fixture(String name, Path folder, List<Case> cases) {

    /**
     * One case of cases.json.
     *
     * @param index        its place in the file, from 0
     * @param ids          the sequence
     * @param nllSum       the sum over t &ge; 1 of {@code -ln p(ids[t] | ids[<t])}
     * @param lastLogits   the logits at the last position, the whole vocabulary
     * @param prompt       the greedy prompt: {@code ids[:min(len, n_positions - 20)]}
     * @param continuation the 20 greedy tokens after the prompt, each from a full recomputation
     * @param minMargin    the smallest top-1 minus top-2 logit gap over those 20 steps
     */
    record Case(int index, int[] ids, double nllSum, double[] lastLogits, int[] prompt, int[] continuation,
                double minMargin) {

        /** "case 4 (256 tokens)", for failure messages. */
        String describe() {
            return "case " + index + " (" + ids.length + (ids.length == 1 ? " token)" : " tokens)");
        }
    }

    /** The folder the root pom names with the system property {@code gpt2.testdata}. */
    static Path testdata() {
        return Path.of(System.getProperty("gpt2.testdata", "../testdata"));
    }

    /**
     * Every checkpoint folder of {@code testdata/models} that has a cases.json, by name.
     *
     * @throws IllegalStateException when there is none (the fixtures are missing: no model test could run)
     */
    static List<Fixture> all() {
        Path models = testdata().resolve("models");
        List<Fixture> found = new ArrayList<>();
        try (Stream<Path> folders = Files.list(models)) {
            for (Path folder : folders.sorted().toList()) {
                if (Files.isRegularFile(folder.resolve("cases.json"))) {
                    found.add(read(folder));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the reference checkpoints in " + models
                    + " (set -Dgpt2.testdata to the repository's testdata folder)", e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no reference checkpoint (a folder with cases.json) in " + models);
        }
        return List.copyOf(found);
    }

    private static Fixture read(Path folder) throws IOException {
        List<Case> cases = new ArrayList<>();
        List<Object> list = JSON.std.listFrom(Files.readAllBytes(folder.resolve("cases.json")));
        for (Object item : list) {
            Map<?, ?> c = (Map<?, ?>) item;
            Map<?, ?> greedy = (Map<?, ?>) c.get("greedy");
            cases.add(new Case(cases.size(), ints(c.get("ids")), number(c.get("nll_sum")),
                    doubles(c.get("last_logits")), ints(greedy.get("prompt")), ints(greedy.get("continuation")),
                    number(greedy.get("min_margin"))));
        }
        return new Fixture(folder.getFileName().toString(), folder, List.copyOf(cases));
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    private static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }
}
