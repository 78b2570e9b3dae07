package dev.gpt2.eval.task;

import dev.gpt2.eval.MetricValue;

import java.util.List;

/** Runs one task: reads its data, asks the model, computes the metrics. */
public interface TaskRunner {
    /** The metrics over the items done (all, or those before {@code --limit} or a stop). */
    List<MetricValue> run(TaskContext context);
}
