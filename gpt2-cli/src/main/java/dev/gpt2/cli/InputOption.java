package dev.gpt2.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * The input of {@code encode} and {@code decode} (a picocli mixin): stdin, or the file of {@code --file}; warnings go
 * to the command's stderr.
 */
final class InputOption {
    @Option(names = "--file", paramLabel = "F", description = "Read the input from F instead of stdin (- for stdin).")
    Path file;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final InputStream stdin = System.in;

    /** The input this option names. */
    Utf8Input open() {
        return new Utf8Input(file, stdin, command.commandLine().getErr(), command.name());
    }
}
