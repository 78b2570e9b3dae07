package dev.gpt2.cli;

import dev.gpt2.api.Gpt2Exception;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** The {@code gpt2} command: one subcommand per job; errors are one line on stderr unless {@code --verbose}. */
@Command(name = "gpt2", mixinStandardHelpOptions = true, version = "gpt2 0.1.0",
        description = "GPT-2 in Java: tokenize, generate, score, benchmark.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    public static void main(String[] args) {
        // the libraries' warnings (System.Logger, on java.util.logging) in one line, as the commands' own messages,
        // unless the user configures logging
        if (System.getProperty(LOG_FORMAT) == null && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty(LOG_FORMAT, "gpt2: %4$s: %5$s%6$s%n");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code: 0 success, 1 failure, 2 bad usage. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // an Error passes picocli's handler; the allocation that failed is gone, so there is room to say so
            cli.getErr().println("gpt2: " + message(e));
            if (verbose(args)) {
                e.printStackTrace(cli.getErr());
            }
            cli.getErr().flush();
            return 1;
        }
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand(new BackendsCommand());
        cli.addSubcommand(new EncodeCommand());
        cli.addSubcommand(new DecodeCommand());
        cli.addSubcommand(new GenerateCommand());
        cli.addSubcommand(new ScoreCommand());
        cli.addSubcommand(new BenchCommand());
        cli.addSubcommand(new InfoCommand());
        cli.addSubcommand(EvalCommand.create());
        // each subcommand offers --version (mixinStandardHelpOptions): the same as the top command's
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().version(cli.getCommandSpec().version()));
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler(Main::handleUsage);
        return cli;
    }

    /** A command line picocli cannot parse: one line naming the problem and where the help is (exit code 2). */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        err.println(name + ": " + e.getMessage().replace('\n', ' ').strip() + " (see '" + name + " --help')");
        if (verbose(args)) {
            e.printStackTrace(err);
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Whether the raw arguments ask for stack traces (for errors met before or outside a parse result). */
    private static boolean verbose(String[] args) {
        return List.of(args).contains("--verbose");
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
        }
        err.println("gpt2 " + cmd.getCommandName() + ": " + message(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof IllegalArgumentException ? 2 : 1;
    }

    /** The one-line message of an error: what failed, the value and what to do. */
    static String message(Throwable e) {
        if (e instanceof Gpt2Exception || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException u) {
            return u.getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory: " + e.getMessage() + " (give the JVM more with JAVA_OPTS=-Xmx...)";
        }
        return e.toString().replace('\n', ' ');
    }
}
