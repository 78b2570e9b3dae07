package dev.gpt2.eval.task;

import java.nio.file.Path;

/** The small data files written for these tests (src/test/resources/data; surefire runs in the module folder). */
public final class SampleData {
    private SampleData() {
    }

    public static Path path(String name) {
        return Path.of("src", "test", "resources", "data", name);
    }
}
