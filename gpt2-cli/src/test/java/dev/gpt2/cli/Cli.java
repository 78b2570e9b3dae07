package dev.gpt2.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line in this JVM with captured output. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    static Path model(String name) {
        return Path.of(System.getProperty("gpt2.testdata", "../testdata"), "models", name);
    }

    /** The number after {@code "name":} in a JSON line. */
    double number(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(-?[0-9.eE+-]+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no number " + name + " in " + out);
        }
        return Double.parseDouble(m.group(1));
    }
}
