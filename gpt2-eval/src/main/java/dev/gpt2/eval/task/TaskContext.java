package dev.gpt2.eval.task;

import dev.gpt2.api.LanguageModel;
import dev.gpt2.eval.EvalOptions;
import dev.gpt2.eval.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a task runner works with.
 *
 * @param task    the task
 * @param model   the model under evaluation
 * @param data    the data files, in the order the task documents
 * @param options limit, batch size, stride, seed, shots
 * @param monitor progress, limit and stop
 * @param notes   lines for the result that qualify the numbers (truncated contexts, partial runs)
 */
public record TaskContext(Task task, LanguageModel model, List<Path> data, EvalOptions options, Monitor monitor,
                          List<String> notes) {

    public TaskContext(Task task, LanguageModel model, List<Path> data, EvalOptions options, Monitor monitor) {
        this(task, model, List.copyOf(data), options, monitor, new ArrayList<>());
    }

    /** The one data file of a single-file task. */
    public Path file() {
        return files(1).getFirst();
    }

    /** Exactly {@code count} data files, or a one-line error that says which. */
    public List<Path> files(int count) {
        requireCount(task, data, count);
        return data;
    }

    /** Fails with one line unless {@code data} holds {@code count} paths. */
    public static void requireCount(Task task, List<Path> data, int count) {
        if (data.size() != count) {
            throw new IllegalArgumentException(task.id() + " reads " + (count == 1 ? "one data file" : count
                    + " data files") + " (" + task.data() + "), got " + data.size() + ": give --data "
                    + (count == 1 ? "PATH" : "PATH --data PATH"));
        }
    }

    /** The model's context length. */
    public int contextLength() {
        return model.config().nPositions();
    }

    /** Adds a note to the result. */
    public void note(String line) {
        notes.add(line);
    }

    /** The id of {@code <|endoftext|>} in the model's tokenizer. */
    public int endOfText() {
        int[] ids = model.encode("<|endoftext|>");
        if (ids.length != 1) {
            throw new IllegalStateException("the tokenizer does not encode <|endoftext|> as one special id");
        }
        return ids[0];
    }
}
