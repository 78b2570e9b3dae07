package dev.gpt2.core;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.Gpt2Exception.Kind;

import java.io.IOException;
import java.nio.file.Path;

/** Builds the library's one exception type with a one-line message. */
final class Errors {
    private Errors() {
    }

    static Gpt2Exception invalidModel(String message) {
        return new Gpt2Exception(Kind.INVALID_MODEL, message);
    }

    static Gpt2Exception notFound(String message) {
        return new Gpt2Exception(Kind.NOT_FOUND, message);
    }

    static Gpt2Exception invalidArgument(String message) {
        return new Gpt2Exception(Kind.INVALID_ARGUMENT, message);
    }

    static Gpt2Exception io(Path file, IOException e) {
        return new Gpt2Exception(Kind.IO, "cannot read " + file + ": " + oneLine(e), e);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ');
    }
}
