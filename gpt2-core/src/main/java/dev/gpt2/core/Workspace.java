package dev.gpt2.core;

import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.Tensor;

/**
 * The activations of one forward pass at a time (R = rows, C = n_embd, I = n_inner, V = vocabulary). One call
 * (a generation, a scoring) owns a workspace while it runs, so that several calls run at once on one model.
 *
 * @param rows      how many rows a pass may have
 * @param logitRows how many rows of logits one {@link Backend#logits} call may write
 */
record Workspace(int rows, int logitRows,
                 Tensor residual, // [R, C]  the residual stream
                 Tensor ln,       // [R, C]  layer norm output; after the last layer, ln_f's
                 Tensor qkv,      // [R, 3C] c_attn output
                 Tensor att,      // [R, C]  attention output
                 Tensor fc,       // [R, I]  c_fc output after GELU
                 Tensor logits)   // [logitRows, V]
        implements AutoCloseable {

    static Workspace allocate(Backend backend, ModelConfig c, int rows, int logitRows) {
        int e = c.nEmbd();
        return new Workspace(rows, logitRows,
                backend.allocate(rows, e), backend.allocate(rows, e), backend.allocate(rows, 3 * e),
                backend.allocate(rows, e), backend.allocate(rows, c.nInner()),
                backend.allocate(logitRows, c.vocabSize()));
    }

    /** Whether this workspace is at least as large as asked. */
    boolean fits(int wantRows, int wantLogitRows) {
        return rows >= wantRows && logitRows >= wantLogitRows;
    }

    @Override
    public void close() {
        residual.close();
        ln.close();
        qkv.close();
        att.close();
        fc.close();
        logits.close();
    }
}
