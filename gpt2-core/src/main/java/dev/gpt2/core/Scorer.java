package dev.gpt2.core;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.spi.KvCache;
import dev.gpt2.tokenizer.Gpt2Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Scores sequences: {@code ln p(id_t | ids_<t)} for every t &ge; 1, accumulated in double.
 *
 * <p>A sequence longer than the context is cut into windows as in Hugging Face's perplexity guide: windows of
 * {@code n_positions} tokens starting at 0, stride, 2 * stride, ...; each token t &ge; 1 is scored once, in the first
 * window whose end passes it, with that window's tokens before it as context. The stride is below
 * {@code n_positions}, so every scored token has at least one token of context in its window.
 *
 * <p>Windows of all sequences run as lanes of ragged batches; the logits of the scored rows are turned into
 * log-probabilities by {@link dev.gpt2.api.spi.Backend#tokenLogProbs}, a few rows at a time.
 */
final class Scorer {
    /** How many rows of logits ([rows, V]) one call computes. */
    static final int LOGIT_ROWS = 32;

    private final Gpt2Model model;
    private final Forward forward;
    private final ModelConfig config;

    Scorer(Gpt2Model model, Forward forward) {
        this.model = model;
        this.forward = forward;
        this.config = forward.config();
    }

    /**
     * One sequence to score.
     *
     * @param ids       the token ids
     * @param textBytes the UTF-8 length of the text they encode, when a text is scored
     */
    record Job(int[] ids, OptionalDouble textBytes) {
    }

    /**
     * The tokens {@code [begin, end)} of a sequence run from position 0; the tokens {@code [first, end)} are scored.
     */
    record Window(int begin, int end, int first) {
    }

    /** Window {@code window} of sequence {@code sequence}. */
    private record Task(int sequence, Window window) {
        int rows() {
            return window.end() - window.begin();
        }
    }

    /** The windows of a sequence of {@code length} tokens, with windows of {@code size} tokens. */
    static List<Window> windows(int length, int size, int stride) {
        List<Window> windows = new ArrayList<>();
        if (length < 2) {
            return windows;
        }
        int previousEnd = 1;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + size, length);
            if (end > previousEnd) {
                windows.add(new Window(begin, end, previousEnd));
            }
            previousEnd = end;
            if (end == length) {
                return windows;
            }
        }
    }

    List<Score> run(List<Job> jobs, ScoreOptions options) {
        int stride = stride(options);
        List<int[]> sequences = new ArrayList<>();
        for (Job job : jobs) {
            int[] ids = job.ids();
            if (options.prependEndOfText()) {
                ids = new int[job.ids().length + 1];
                ids[0] = Gpt2Tokenizer.END_OF_TEXT;
                System.arraycopy(job.ids(), 0, ids, 1, job.ids().length);
            }
            if (ids.length == 0) {
                throw Errors.invalidArgument("there is nothing to score: the sequence is empty");
            }
            model.checkIds(ids, options.prependEndOfText() ? "the sequence after <|endoftext|>" : "the sequence");
            sequences.add(ids);
        }
        List<Task> work = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) {
            for (Window w : windows(sequences.get(s).length, config.nPositions(), stride)) {
                work.add(new Task(s, w));
            }
        }
        double[][] logProbs = new double[sequences.size()][];
        for (int s = 0; s < sequences.size(); s++) {
            logProbs[s] = new double[sequences.get(s).length];
            logProbs[s][0] = Double.NaN;
        }
        if (!work.isEmpty()) {
            runWindows(sequences, work, logProbs);
        }
        List<Score> scores = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) {
            double nll = 0;
            for (int t = 1; t < logProbs[s].length; t++) {
                nll -= logProbs[s][t];
            }
            if (Double.isNaN(nll)) {
                throw Gpt2Exception.notANumber("the model's log-probabilities are not numbers");
            }
            int n = sequences.get(s).length;
            scores.add(new Score(n, n - 1, nll, options.tokenLogProbs() ? logProbs[s] : new double[0],
                    jobs.get(s).textBytes()));
        }
        return scores;
    }

    private int stride(ScoreOptions options) {
        int n = config.nPositions();
        if (options.stride() == 0) {
            return Math.max(1, n / 2);
        }
        if (options.stride() >= n) {
            throw Errors.invalidArgument("stride " + options.stride() + " must be below the context length " + n
                    + " so that every scored token has context in its window; 0 picks " + Math.max(1, n / 2));
        }
        return options.stride();
    }

    /** Runs the windows in groups of at most a pass's rows, each window a lane with its own cache. */
    private void runWindows(List<int[]> sequences, List<Task> work, double[][] logProbs) {
        int rowCap = model.rowCap();
        int longest = work.stream().mapToInt(Task::rows).max().orElseThrow();
        int totalRows = work.stream().mapToInt(Task::rows).sum();
        List<KvCache> caches = new ArrayList<>();
        Workspace ws = null;
        try {
            ws = model.workspace(Math.min(rowCap, totalRows), LOGIT_ROWS);
            int next = 0;
            while (next < work.size()) {
                List<Task> group = new ArrayList<>();
                int rows = 0;
                while (next < work.size() && (group.isEmpty() || rows + work.get(next).rows() <= rowCap)) {
                    rows += work.get(next).rows();
                    group.add(work.get(next++));
                }
                while (caches.size() < group.size()) {
                    caches.add(forward.backend().allocateCache(config.nLayer(), config.nHead(), config.headDim(),
                            longest));
                }
                List<Lane> lanes = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    Window w = group.get(i).window();
                    Lane lane = new Lane(caches.get(i));
                    // the logits of row t - 1 predict token t, for t in [first, end)
                    lane.feed(Arrays.copyOfRange(sequences.get(group.get(i).sequence()), w.begin(), w.end()),
                            w.first() - 1 - w.begin(), w.end() - 1 - w.begin());
                    lanes.add(lane);
                }
                forward.run(ws, lanes, (logits, wanted) -> {
                    int[] targets = new int[wanted.size()];
                    int[] at = new int[wanted.size()];
                    for (int i = 0; i < targets.length; i++) {
                        Task task = group.get(wanted.get(i).lane());
                        at[i] = task.window().begin() + wanted.get(i).index() + 1;
                        targets[i] = sequences.get(task.sequence())[at[i]];
                    }
                    double[] out = new double[targets.length];
                    forward.backend().tokenLogProbs(logits, targets, out);
                    for (int i = 0; i < targets.length; i++) {
                        logProbs[group.get(wanted.get(i).lane()).sequence()][at[i]] = out[i];
                    }
                });
            }
        } finally {
            model.release(ws);
            caches.forEach(KvCache::close);
        }
    }
}
