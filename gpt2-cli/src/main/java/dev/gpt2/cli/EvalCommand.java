package dev.gpt2.cli;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.EvalOptions;
import dev.gpt2.eval.EvalResult;
import dev.gpt2.eval.Evaluation;
import dev.gpt2.eval.ProgressListener;
import dev.gpt2.eval.Task;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code gpt2 eval TASK}: one of the paper's zero-shot evaluations, printed beside the paper's number for the model's
 * size. Progress goes to stderr; Ctrl-C stops after the batch in flight and prints the partial result.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Run one of the paper's zero-shot evaluations (Radford et al. 2019) and print the result "
                + "beside the paper's value for the model's size.",
                "Ctrl-C stops after the batch in flight and prints the partial result."},
        footerHeading = "%nTasks (data files and where to get them: gpt2-eval/README.md):%n")
final class EvalCommand implements Runnable {
    /** How often progress lines are printed when stderr is not a terminal. */
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TASK", description = "The task: one of those listed below.",
            converter = TaskConverter.class)
    Task task;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The task's data file; WMT-14 takes two: --data EN --data FR.")
    List<Path> data;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Evaluate only the first N items (windows, passages, questions...); 0 for all.")
    long limit;

    @Option(names = "--json", description = "Print the result as one JSON object instead of a table.")
    boolean json;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Items computed together per batch call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "0",
            description = "Language-modelling tasks: sliding-window stride in tokens; 0 for half the context.")
    int stride;

    @Option(names = "--shots", paramLabel = "N", defaultValue = "0",
            description = "WMT-14 and nq: example pairs in the context, taken from the start of the data and not "
                    + "evaluated; 0 for the task's default (5 for WMT-14, 8 for nq).")
    int shots;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1234",
            description = "Seed of the sampled summaries of cnn-dm (default ${DEFAULT-VALUE}).")
    long seed;

    /** The command with its footer listing every task; Main adds it as a subcommand. */
    static CommandLine create() {
        CommandLine cli = new CommandLine(new EvalCommand());
        // picocli formats help lines: a literal % must be doubled
        cli.getCommandSpec().usageMessage().footer(taskList().stream().map(l -> l.replace("%", "%%"))
                .toArray(String[]::new));
        return cli;
    }

    @Override
    public void run() {
        onlyFor("--stride", task.readsStride(), "the language-modelling tasks");
        onlyFor("--shots", task.readsShots(), "wmt14-en-fr, wmt14-fr-en and nq");
        onlyFor("--seed", task.readsSeed(), "cnn-dm and cnn-dm-no-hint");
        EvalOptions options = new EvalOptions(limit, batch, stride, seed, shots);
        Evaluation.checkData(task, data);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = modelOptions.load()) {
            Evaluation evaluation = new Evaluation(task, lm, data, options, progress(err));
            CountDownLatch printed = new CountDownLatch(1);
            Thread hook = stopHook(evaluation, printed, err);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                EvalResult result = evaluation.run();
                out.print(json ? result.json() + System.lineSeparator() : result.table());
                out.flush();
            } finally {
                printed.countDown();
                removeHook(hook);
            }
        }
    }

    /** An option given to a task that does not read it is a usage error, not silently ignored. */
    private void onlyFor(String option, boolean read, String tasks) {
        if (!read && spec.commandLine().getParseResult().hasMatchedOption(option)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " applies to " + tasks + " only,"
                    + " not to " + task.id());
        }
    }

    /** On Ctrl-C (JVM shutdown): stop the evaluation and wait until its partial result is printed. */
    private static Thread stopHook(Evaluation evaluation, CountDownLatch printed, PrintWriter err) {
        return new Thread(() -> {
            err.println();
            err.println("gpt2 eval: stopping after the batch in flight; the partial result follows");
            err.flush();
            evaluation.stop();
            try {
                printed.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gpt2-eval-stop");
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C came: the hook is running and has just been released
        }
    }

    /** Progress on stderr: one updating line on a terminal, else a line every 10 seconds and at the end. */
    private static ProgressListener progress(PrintWriter err) {
        boolean terminal = System.console() != null && System.console().isTerminal();
        long[] last = {0};
        return p -> {
            long now = System.nanoTime();
            boolean end = p.done() == p.total();
            if (terminal) {
                err.print("\r" + p.line() + "   ");
                if (end) {
                    err.println();
                }
                err.flush();
            } else if (end || p.done() == 0 || now - last[0] >= LOG_INTERVAL_NANOS) {
                err.println(p.line());
                err.flush();
                last[0] = now;
            }
        };
    }

    /** The footer: every task with what it measures, the data it reads and where the paper reports it. */
    static List<String> taskList() {
        List<String> lines = new ArrayList<>();
        for (Task t : Task.values()) {
            lines.add(String.format(Locale.ROOT, "  %-15s %s", t.id(), t.title()));
            lines.add(String.format(Locale.ROOT, "  %-15s   data:  %s", "", t.data()));
            lines.add(String.format(Locale.ROOT, "  %-15s   paper: %s", "", t.paperSource()));
        }
        return lines;
    }

    /** Reads a task name, failing with the list of tasks. */
    static final class TaskConverter implements CommandLine.ITypeConverter<Task> {
        @Override
        public Task convert(String value) {
            try {
                return Task.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
