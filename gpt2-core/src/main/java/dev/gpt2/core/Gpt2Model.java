package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.LanguageModel;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelInfo;
import dev.gpt2.api.Score;
import dev.gpt2.api.ScoreOptions;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendStatus;
import dev.gpt2.api.spi.Capability;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.tokenizer.Gpt2Tokenizer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A GPT-2 loaded on a backend: what {@link Gpt2#load} returns. Besides the {@link LanguageModel} API it tells what
 * a benchmark and a diagnosis need: the backend's description, its measured limits, the weight bytes a decode step
 * reads.
 *
 * <p>Thread-safe: each call takes its own KV caches and activations (pooled), so calls on several threads run at
 * once. {@link #close()} waits for the calls running and fails later ones: a call made while it waits fails at once
 * (unless it comes from inside a running call on the same thread, a listener's), so that a listener waiting for such a
 * call on another thread cannot hold the close up for ever.
 */
public final class Gpt2Model implements LanguageModel {
    private static final int MAX_IDLE_WORKSPACES = 4;

    private final ModelInfo info;
    private final Checkpoint checkpoint;
    private final Backend backend;
    private final Set<Capability> capabilities;
    private final ModelWeights weights;
    private final Forward forward;
    private final Deque<Workspace> idle = new ConcurrentLinkedDeque<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Gpt2Tokenizer tokenizer;
    private boolean closed;
    /** Set when {@link #close()} starts waiting for the running calls: new calls fail instead of queueing. */
    private volatile boolean closing;

    /** Opens the backend and uploads the weights; closes what it opened if that fails. */
    Gpt2Model(Checkpoint checkpoint, BackendStatus chosen, DType dtype, int threads) {
        this.checkpoint = checkpoint;
        this.capabilities = chosen.probe().capabilities();
        this.backend = chosen.provider().orElseThrow().open(new BackendConfig(threads));
        try {
            this.weights = ModelWeights.upload(backend, checkpoint, dtype);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
        this.forward = new Forward(backend, weights, checkpoint.config());
        this.info = new ModelInfo(checkpoint.source(), checkpoint.config(), checkpoint.storedDType(), dtype,
                backend.name(), chosen.probe().device());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int[] encode(String text) {
        return guarded(() -> tokenizer().encodeAllowingSpecial(text));
    }

    @Override
    public String decode(int[] ids) {
        return guarded(() -> {
            try {
                return tokenizer().decode(ids);
            } catch (IllegalArgumentException e) {
                throw Errors.invalidArgument("cannot decode: " + e.getMessage());
            }
        });
    }

    @Override
    public Generation generate(GenerationRequest request) {
        return generateBatch(List.of(request)).getFirst();
    }

    @Override
    public List<Generation> generateBatch(List<GenerationRequest> requests) {
        return guarded(() -> new Generator(this, forward).run(requests));
    }

    @Override
    public Score score(int[] ids, ScoreOptions options) {
        return scoreBatch(List.of(ids), options).getFirst();
    }

    @Override
    public Score score(String text, ScoreOptions options) {
        return guarded(() -> {
            int[] ids = tokenizer().encodeAllowingSpecial(text);
            double bytes = text.getBytes(StandardCharsets.UTF_8).length;
            return new Scorer(this, forward).run(List.of(new Scorer.Job(ids, OptionalDouble.of(bytes))), options)
                    .getFirst();
        });
    }

    @Override
    public List<Score> scoreBatch(List<int[]> sequences, ScoreOptions options) {
        return guarded(() -> {
            List<Scorer.Job> jobs = new ArrayList<>();
            for (int[] ids : sequences) {
                jobs.add(new Scorer.Job(ids.clone(), OptionalDouble.empty()));
            }
            return new Scorer(this, forward).run(jobs, options);
        });
    }

    @Override
    public float[] nextTokenLogits(int[] ids) {
        return guarded(() -> {
            checkIds(ids, "the sequence");
            ModelConfig c = config();
            if (ids.length == 0 || ids.length > c.nPositions()) {
                throw new Gpt2Exception(ids.length == 0 ? Gpt2Exception.Kind.INVALID_ARGUMENT
                        : Gpt2Exception.Kind.CONTEXT_OVERFLOW, "the sequence has " + ids.length
                        + " tokens; the model takes 1 to " + c.nPositions() + " (its context)");
            }
            float[] out = new float[c.vocabSize()];
            Lane lane = new Lane(backend.allocateCache(c.nLayer(), c.nHead(), c.headDim(), ids.length));
            Workspace ws = null;
            try {
                ws = workspace(Math.min(ids.length, rowCap()), 1);
                lane.feed(ids.clone());
                forward.run(ws, List.of(lane), (logits, rows) -> backend.read(logits, 0, 1, out));
            } finally {
                release(ws);
                lane.cache.close();
            }
            return out;
        });
    }

    /** The backend's own description: device, threads, library versions. */
    public Map<String, String> backendDescription() {
        return guarded(backend::describe);
    }

    /** What the backend said it can do when it was probed. */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /**
     * The read bandwidth and FP32 peak where the backend computes, measured now for about {@code budget}; empty when
     * the backend cannot measure them.
     */
    public Optional<DeviceLimits> measureLimits(Duration budget) {
        return guarded(() -> backend.measureLimits(budget));
    }

    /**
     * The bytes of weights one decode step reads, as held by the backend: every matrix and the embedding (the tied LM
     * head), the vectors, one row of the position embedding.
     */
    public long weightBytesPerToken() {
        return Workload.weightBytesPerToken(config(), info.dtype());
    }

    /**
     * Frees the weights on the backend, the activations, and the mapped checkpoint. Waits for the calls running on
     * other threads (calls made meanwhile fail, but those a running call makes on its own thread); calling it from
     * inside a call (a generation listener) is an {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("close() was called from inside a call on this model (a listener?):"
                    + " cancel the generation and close the model after it returns");
        }
        closing = true;
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Workspace ws = idle.poll(); ws != null; ws = idle.poll()) {
                ws.close();
            }
            backend.close();
            checkpoint.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- for the generator and the scorer --------------------------------------------------------------------

    /** The most rows one forward pass takes: a whole context. */
    int rowCap() {
        return config().nPositions();
    }

    /** A workspace of at least the asked size, from the pool or new. */
    Workspace workspace(int rows, int logitRows) {
        for (Workspace ws : idle) {
            if (ws.fits(rows, logitRows) && idle.remove(ws)) {
                return ws;
            }
        }
        return Workspace.allocate(backend, config(), rows, logitRows);
    }

    /** Gives a workspace back to the pool (null is ignored). */
    void release(Workspace ws) {
        if (ws == null) {
            return;
        }
        if (idle.size() < MAX_IDLE_WORKSPACES) {
            idle.push(ws);
        } else {
            ws.close();
        }
    }

    /** The tokenizer: the checkpoint folder's vocab.json and merges.txt, else GPT-2's own; loaded on first use. */
    Gpt2Tokenizer tokenizer() {
        Gpt2Tokenizer t = tokenizer;
        if (t == null) {
            synchronized (this) {
                t = tokenizer;
                if (t == null) {
                    t = loadTokenizer();
                    tokenizer = t;
                }
            }
        }
        return t;
    }

    private Gpt2Tokenizer loadTokenizer() {
        if (checkpoint.tokenizerFolder().isEmpty()) {
            return Gpt2Tokenizer.gpt2();
        }
        try {
            return Gpt2Tokenizer.fromFolder(checkpoint.tokenizerFolder().get());
        } catch (Gpt2Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw Errors.invalidModel("cannot read the tokenizer (vocab.json, merges.txt) in "
                    + checkpoint.tokenizerFolder().get() + ": " + Errors.oneLine(e));
        }
    }

    /** Throws naming the first id outside the vocabulary. */
    void checkIds(int[] ids, String what) {
        int v = config().vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw Errors.invalidArgument("token id " + ids[i] + " at index " + i + " of " + what
                        + " is outside the model's vocabulary [0, " + v + ")");
            }
        }
    }

    /** The forward pass, for tests that look inside it. */
    Forward forward() {
        return forward;
    }

    private <T> T guarded(Supplier<T> call) {
        // not lock(): with close() waiting for the write lock it would queue behind it, and a running call waiting for
        // this one would wait for ever; tryLock() fails only while close() holds the write lock
        boolean nested = lock.getReadHoldCount() > 0;
        if ((closing && !nested) || !lock.readLock().tryLock()) {
            throw new IllegalStateException("the model is closed");
        }
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
