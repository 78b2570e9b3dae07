package dev.gpt2.backend.openblas;

import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.backend.vector.cpu.ComputePool;
import dev.gpt2.backend.vector.cpu.CpuTensor;
import dev.gpt2.backend.vector.cpu.MatmulEngine;
import dev.gpt2.backend.vector.cpu.Simd;
import dev.gpt2.backend.vector.cpu.VectorMatmul;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The matmul and logits engine on OpenBLAS, for the CPU backend of {@code backend-vector}.
 *
 * <p><b>Which kernel for which shape</b> (measured on 2 Zen vCPUs with GPT-2 124M's shapes; see the README):
 * <ul>
 *   <li>from {@value #SGEMM_MIN_ROWS} rows on (prefill, scoring): {@code sgemm}, 190-200 GFLOP/s at 512 rows, about
 *       85% of the FP32 peak. The bias is written into the output first and the product added to it
 *       ({@code beta = 1}); GELU follows in place;
 *   <li>one row (decode): {@code sgemv}, bound by memory bandwidth like any kernel there;
 *   <li>2 to {@value #SGEMM_MIN_ROWS} - 1 rows (a few sequences decoding together): the Java engine
 *       ({@link VectorMatmul}), which streams the weights once for all rows, where OpenBLAS's {@code sgemm} packs
 *       them and runs at 2-20 GFLOP/s.
 * </ul>
 * Logits are {@code h . wte^T}, a {@code sgemm} with B transposed (one per run of consecutive rows), or {@code sgemv}
 * for a single row.
 *
 * <p><b>Threads.</b> A BLAS call holds the backend's {@link ComputePool} ({@link ComputePool#exclusive}) and runs on
 * as many OpenBLAS threads as the pool has, so Java and OpenBLAS threads never compute at once.
 *
 * <p>Not batch-invariant: OpenBLAS picks kernels and splits work by shape, so a row's result may differ in the last
 * bits with the other rows of its call; results agree with the reference within rounding.
 */
final class BlasMatmul implements MatmulEngine {
    /** From this many rows on, matmuls run on {@code sgemm}. */
    static final int SGEMM_MIN_ROWS = 16;
    /** Floats of bias broadcast or GELU per task. */
    private static final int ROWS_CHUNK_FLOATS = 1 << 16;

    private final ComputePool pool;
    private final MatmulEngine small;
    private final int threads;

    BlasMatmul(ComputePool pool, Simd simd) {
        this.pool = pool;
        this.small = new VectorMatmul(pool, simd);
        this.threads = pool.threads();
    }

    @Override
    public String describe() {
        return "OpenBLAS " + OpenBlasLibrary.status().version() + " sgemm from " + SGEMM_MIN_ROWS
                + " rows, sgemv for 1 row, " + threads + " threads; below: " + small.describe();
    }

    @Override
    public boolean batchInvariant() {
        return false;
    }

    @Override
    public void matmul(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        if (rows > 1 && rows < SGEMM_MIN_ROWS) {
            small.matmul(out, in, rows, weight, bias, epilogue);
            return;
        }
        int k = weight.rows();
        int n = weight.cols();
        MemorySegment o = out.data();
        MemorySegment b = bias.data();
        pool.exclusive(() -> {
            forRows(rows, n, (from, to) -> {
                for (int r = from; r < to; r++) {
                    if (epilogue == Epilogue.ACCUMULATE) {
                        addRow(o, (long) r * n, b, n);
                    } else {
                        MemorySegment.copy(b, 0, o, (long) r * n * Float.BYTES, (long) n * Float.BYTES);
                    }
                }
            });
            OpenBlasLibrary.run(threads, () -> Blas.gemm(Mat.of(o, n), Mat.of(in.data(), k),
                    Mat.of(weight.data(), n), false, rows, n, k, 1, 1));
            if (epilogue == Epilogue.GELU) {
                forRows(rows, n, (from, to) -> geluInPlace(o, (long) from * n, (long) (to - from) * n));
            }
            return null;
        });
    }

    @Override
    public void logits(CpuTensor out, CpuTensor hidden, int[] rows, CpuTensor wte) {
        if (rows.length > 1 && rows.length < SGEMM_MIN_ROWS) {
            small.logits(out, hidden, rows, wte);
            return;
        }
        int v = wte.rows();
        int c = wte.cols();
        Mat h = Mat.of(hidden.data(), c);
        Mat e = Mat.of(wte.data(), c);
        Mat o = Mat.of(out.data(), out.cols());
        pool.exclusive(() -> {
            OpenBlasLibrary.run(threads, () -> {
                // one product per run of consecutive rows (all of them, in a prefill that scores every position)
                for (int i = 0; i < rows.length; ) {
                    int run = 1;
                    while (i + run < rows.length && rows[i + run] == rows[i] + run) {
                        run++;
                    }
                    Blas.gemm(o.at(i, 0), h.at(rows[i], 0), e, true, run, v, c, 1, 0);
                    i += run;
                }
            });
            return null;
        });
    }

    /** A range of rows for one task. */
    @FunctionalInterface
    private interface RowRange {
        void run(int from, int to);
    }

    /** Splits {@code rows} rows of {@code cols} floats into tasks of about {@link #ROWS_CHUNK_FLOATS} on the pool. */
    private void forRows(int rows, int cols, RowRange body) {
        int perTask = Math.max(1, ROWS_CHUNK_FLOATS / cols);
        int tasks = (rows + perTask - 1) / perTask;
        pool.run(tasks, (t, worker) -> body.run(t * perTask, Math.min(rows, (t + 1) * perTask)));
    }

    private static void addRow(MemorySegment out, long at, MemorySegment bias, int n) {
        for (int j = 0; j < n; j++) {
            out.setAtIndex(ValueLayout.JAVA_FLOAT, at + j,
                    out.getAtIndex(ValueLayout.JAVA_FLOAT, at + j) + bias.getAtIndex(ValueLayout.JAVA_FLOAT, j));
        }
    }

    private static void geluInPlace(MemorySegment out, long at, long n) {
        for (long i = at; i < at + n; i++) {
            float x = out.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            float u = (float) (Math.sqrt(2 / Math.PI) * (x + 0.044715f * x * x * x));
            out.setAtIndex(ValueLayout.JAVA_FLOAT, i, x / (float) (1 + Math.exp(-2 * u)));
        }
    }
}
