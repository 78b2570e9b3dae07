package dev.gpt2.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The CUDA C source of every kernel, kept as files in this jar ({@code kernels/*.cu}) and compiled as one program.
 * {@code #line} directives keep the compiler's messages pointing at the right file and line.
 */
final class KernelSource {
    /** The files, in the order they are concatenated: {@code common.cuh} first, the kernels after it. */
    static final List<String> FILES = List.of("common.cuh", "elementwise.cu", "gemv.cu", "attention.cu",
            "sampling.cu", "limits.cu");

    /** The program's name in compiler messages. */
    static final String PROGRAM_NAME = "gpt2_kernels.cu";

    private static final String TEXT = load();

    private KernelSource() {
    }

    /** The whole program. */
    static String text() {
        return TEXT;
    }

    private static String load() {
        StringBuilder out = new StringBuilder();
        for (String file : FILES) {
            out.append("#line 1 \"").append(file).append("\"\n").append(read(file)).append('\n');
        }
        return out.toString();
    }

    private static String read(String file) {
        try (InputStream in = KernelSource.class.getResourceAsStream("kernels/" + file)) {
            if (in == null) {
                throw new IllegalStateException("kernel source kernels/" + file + " is missing from the backend-cuda jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source kernels/" + file, e);
        }
    }
}
