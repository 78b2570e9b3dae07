package dev.gpt2.eval;

import dev.gpt2.api.Cancellation;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.ModelSize;
import dev.gpt2.eval.data.TextFile;
import dev.gpt2.eval.task.Monitor;
import dev.gpt2.eval.task.Runners;
import dev.gpt2.eval.task.TaskContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a task against a model. {@link #run()} evaluates on the calling thread; {@link #stop()}, from any thread
 * (a Ctrl-C handler), makes it finish the batch in flight and return the result over the items done so far.
 *
 * <pre>{@code
 * try (LanguageModel model = Gpt2.load("gpt2", LoadOptions.defaults())) {
 *     EvalResult r = new Evaluation(Task.LAMBADA, model, List.of(Path.of("lambada_test.jsonl")),
 *             EvalOptions.defaults(), ProgressListener.none()).run();
 *     System.out.println(r.table());
 * }
 * }</pre>
 */
public final class Evaluation {
    private final Task task;
    private final LanguageModel model;
    private final List<Path> data;
    private final EvalOptions options;
    private final ProgressListener listener;
    private final Cancellation stop = new Cancellation();

    public Evaluation(Task task, LanguageModel model, List<Path> data, EvalOptions options,
                      ProgressListener listener) {
        this.task = Objects.requireNonNull(task, "task");
        this.model = Objects.requireNonNull(model, "model");
        this.data = List.copyOf(data);
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Checks, before a model is loaded, that {@code data} holds as many files as {@code task} reads and that each
     * exists.
     *
     * @throws IllegalArgumentException for the wrong number of files
     * @throws EvalDataException        naming a file that does not exist
     */
    public static void checkData(Task task, List<Path> data) {
        TaskContext.requireCount(task, data, task.dataFiles());
        for (Path p : data) {
            TextFile.requireFile(p, task.data());
        }
    }

    /** Runs the task and returns its result, partial when stopped or limited. */
    public EvalResult run() {
        Monitor monitor = new Monitor(task, listener, stop, options.limit());
        TaskContext context = new TaskContext(task, model, data, options, monitor);
        List<MetricValue> measured = Runners.of(task).run(context);
        Optional<ModelSize> size = ModelSize.of(model.config());
        List<MetricValue> metrics = new ArrayList<>();
        for (MetricValue m : measured) {
            metrics.add(size.map(s -> m.withPaper(PaperResults.value(task, m.key(), s))).orElse(m));
        }
        return new EvalResult(task, model.info().source(), size, monitor.done(), monitor.total(), monitor.unit(),
                stop.isCancelled(), metrics, context.notes(), monitor.elapsed());
    }

    /** Asks the run to stop after the batch in flight; safe from any thread. */
    public void stop() {
        stop.cancel();
    }
}
