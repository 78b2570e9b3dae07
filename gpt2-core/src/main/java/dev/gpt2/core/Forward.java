package dev.gpt2.core;

import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.api.spi.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GPT-2's forward pass, written against the backend SPI only.
 *
 * <p>Several sequences run together as a ragged batch ({@link AttentionBatch}): their new tokens are consecutive rows
 * of one pass, each attending over its own KV cache. A prompt runs as matrix-matrix work in as few passes as the
 * workspace allows (prefill); afterwards each sequence adds one row per pass (decode). Logits are computed only for
 * the rows that need them, a few rows at a time.
 *
 * <p>Per block (pre-LN): {@code ln_1 -> c_attn -> attention -> c_proj (+= residual) -> ln_2 -> c_fc + GELU ->
 * mlp.c_proj (+= residual)}; then {@code ln_f}, and logits against the tied embedding.
 */
final class Forward {
    /** Receives logits: rows {@code [0, rows.size())} of {@code logits} belong to {@code rows}, in order. */
    @FunctionalInterface
    interface LogitsSink {
        void accept(Tensor logits, List<LogitRow> rows);
    }

    /** The logits of token {@code index} of lane {@code lane}'s pending tokens. */
    record LogitRow(int lane, int index) {
    }

    /** A test hook: sees the residual stream after the embedding, after each block and after ln_f. */
    @FunctionalInterface
    interface Observer {
        /** @param stage {@code -1} after the embedding, {@code l} after block l, {@code n_layer} after ln_f */
        void observe(int stage, Tensor hidden, int rows);
    }

    private final Backend backend;
    private final ModelWeights w;
    private final ModelConfig c;
    private volatile Observer observer;

    Forward(Backend backend, ModelWeights weights, ModelConfig config) {
        this.backend = backend;
        this.w = weights;
        this.c = config;
    }

    Backend backend() {
        return backend;
    }

    ModelConfig config() {
        return c;
    }

    void observer(Observer o) {
        observer = o;
    }

    /**
     * Runs every pending token of {@code lanes}, in passes of at most {@code ws.rows()} rows, and hands the wanted
     * logits to {@code sink} as each pass produces them.
     */
    void run(Workspace ws, List<Lane> lanes, LogitsSink sink) {
        int[] ids = new int[ws.rows()];
        int[] positions = new int[ws.rows()];
        int[] wantedRows = new int[ws.rows()];
        while (lanes.stream().anyMatch(Lane::hasPending)) {
            int rows = 0;
            List<AttentionBatch.Slice> slices = new ArrayList<>();
            List<LogitRow> wanted = new ArrayList<>();
            for (int i = 0; i < lanes.size() && rows < ws.rows(); i++) {
                Lane lane = lanes.get(i);
                int n = Math.min(lane.pending.length - lane.fed, ws.rows() - rows);
                if (n <= 0) {
                    continue;
                }
                slices.add(new AttentionBatch.Slice(lane.cache, rows, n, lane.past));
                for (int j = 0; j < n; j++) {
                    int index = lane.fed + j;
                    ids[rows + j] = lane.pending[index];
                    positions[rows + j] = lane.past + j;
                    if (index >= lane.logitsFrom && index < lane.logitsTo) {
                        wantedRows[wanted.size()] = rows + j;
                        wanted.add(new LogitRow(i, index));
                    }
                }
                lane.past += n;
                lane.fed += n;
                rows += n;
            }
            pass(ws, Arrays.copyOf(ids, rows), Arrays.copyOf(positions, rows), new AttentionBatch(slices));
            for (int from = 0; from < wanted.size(); from += ws.logitRows()) {
                int to = Math.min(wanted.size(), from + ws.logitRows());
                backend.logits(ws.logits(), ws.ln(), Arrays.copyOfRange(wantedRows, from, to), w.wte());
                sink.accept(ws.logits(), wanted.subList(from, to));
            }
        }
    }

    /** One pass over R = ids.length rows; leaves ln_f's output in {@code ws.ln()}. */
    private void pass(Workspace ws, int[] ids, int[] positions, AttentionBatch batch) {
        int rows = ids.length;
        float eps = c.layerNormEpsilon();
        Observer o = observer;
        backend.embed(ws.residual(), w.wte(), w.wpe(), ids, positions);
        if (o != null) {
            o.observe(-1, ws.residual(), rows);
        }
        for (int l = 0; l < c.nLayer(); l++) {
            ModelWeights.Layer b = w.layers().get(l);
            backend.layerNorm(ws.ln(), ws.residual(), rows, b.ln1W(), b.ln1B(), eps);
            backend.matmul(ws.qkv(), ws.ln(), rows, b.cAttnW(), b.cAttnB(), Epilogue.STORE);
            backend.attention(ws.att(), ws.qkv(), l, batch);
            backend.matmul(ws.residual(), ws.att(), rows, b.attnProjW(), b.attnProjB(), Epilogue.ACCUMULATE);
            backend.layerNorm(ws.ln(), ws.residual(), rows, b.ln2W(), b.ln2B(), eps);
            backend.matmul(ws.fc(), ws.ln(), rows, b.cFcW(), b.cFcB(), Epilogue.GELU);
            backend.matmul(ws.residual(), ws.fc(), rows, b.mlpProjW(), b.mlpProjB(), Epilogue.ACCUMULATE);
            if (o != null) {
                o.observe(l, ws.residual(), rows);
            }
        }
        backend.layerNorm(ws.ln(), ws.residual(), rows, w.lnfW(), w.lnfB(), eps);
        if (o != null) {
            o.observe(c.nLayer(), ws.ln(), rows);
        }
    }
}
