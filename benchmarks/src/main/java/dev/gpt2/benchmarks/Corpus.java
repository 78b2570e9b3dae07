package dev.gpt2.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Finds and reads a benchmark's text file. */
final class Corpus {
    private Corpus() {
    }

    /** Reads {@code name}, a path relative to the working directory or to one of its parents (so that the benchmarks
     * run from the repository root or from {@code benchmarks/}). */
    static String read(String name) throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path file = d.resolve(name);
            if (Files.isRegularFile(file)) {
                return Files.readString(file);
            }
        }
        throw new NoSuchFileException(name + " (looked in " + dir + " and its parents)");
    }
}
