package dev.gpt2.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The tokenizer fixtures of {@code testdata/tokenizer} (made with OpenAI's encoder.py) and the bundled text files. */
final class Fixtures {
    /** One line of gpt2-encode-dev.jsonl: a text and the ids OpenAI's encoder gives. */
    record Case(int line, String text, int[] ids) {
    }

    private Fixtures() {
    }

    static Path tokenizerData() {
        String dir = System.getProperty("gpt2.testdata");
        if (dir == null) {
            throw new IllegalStateException("the system property gpt2.testdata is not set (the root pom sets it)");
        }
        return Path.of(dir, "tokenizer");
    }

    /** The bundled {@code encoder.json} / {@code vocab.bpe} (sources; the jar ships only the compact form). */
    static Path bundledFile(String name) {
        return Path.of("src/main/resources/dev/gpt2/tokenizer", name);
    }

    static List<Case> devCases() {
        Path file = tokenizerData().resolve("gpt2-encode-dev.jsonl");
        List<Case> cases = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                cases.add(parse(file + ":" + (i + 1), lines.get(i), i + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static Case parse(String source, String line, int number) {
        JsonCursor json = new JsonCursor(source, line);
        String text = null;
        int[] ids = null;
        json.expect('{', "{");
        do {
            json.skipSpace();
            String key = json.string();
            json.skipSpace();
            json.expect(':', ":");
            json.skipSpace();
            if (key.equals("text")) {
                text = json.string();
            } else if (key.equals("ids")) {
                ids = ids(json);
            } else {
                throw json.error("unexpected key " + key);
            }
            json.skipSpace();
        } while (json.consume(','));
        json.expect('}', "}");
        return new Case(number, text, ids);
    }

    private static int[] ids(JsonCursor json) {
        IntList ids = new IntList(16);
        json.expect('[', "[");
        json.skipSpace();
        if (!json.consume(']')) {
            do {
                json.skipSpace();
                ids.add(json.integer("an id"));
                json.skipSpace();
            } while (json.consume(','));
            json.expect(']', "]");
        }
        return ids.toArray();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} random ASCII lowercase letters: one long piece without a place to cut. */
    static String randomLetters(long seed, int n) {
        Random random = new Random(seed);
        char[] letters = new char[n];
        for (int i = 0; i < n; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(letters);
    }
}
