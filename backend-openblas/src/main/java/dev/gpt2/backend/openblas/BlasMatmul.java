package dev.gpt2.backend.openblas;

import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.backend.vector.cpu.ComputePool;
import dev.gpt2.backend.vector.cpu.CpuTensor;
import dev.gpt2.backend.vector.cpu.MatmulEngine;
import dev.gpt2.backend.vector.cpu.Simd;
import dev.gpt2.backend.vector.cpu.VectorMatmul;

import java.lang.foreign.MemorySegment;

/**
 * The matmul and logits engine on OpenBLAS, for the CPU backend of {@code backend-vector}.
 *
 * <p><b>Which kernel for which shape</b> (measured with GPT-2 124M's shapes on 2 shared Zen 5 vCPUs):
 * <ul>
 *   <li>from {@value #SGEMM_MIN_ROWS} rows on (prefill, scoring): {@code sgemm}. At 512 rows one thread ran
 *       150-175 GFLOP/s with OpenBLAS's AVX-512 kernels (SkylakeX, Cooperlake) and 65-85 with its AVX2 ones
 *       (Haswell). The bias is written into the output first and the product added to it ({@code beta = 1}); GELU
 *       follows in place ({@link Epilogues});
 *   <li>one row (decode): {@code sgemv}, bound by memory bandwidth; on par with or faster than the Java engine;
 *   <li>2 to {@value #SGEMM_MIN_ROWS} - 1 rows (a few sequences decoding together): the Java engine
 *       ({@link VectorMatmul}), which streams the weights once for all rows, where OpenBLAS's {@code sgemm} packs
 *       them and ran at 2-20 GFLOP/s (and {@code sgemv} row by row re-reads them).
 * </ul>
 * Logits are {@code h . wte^T}, a {@code sgemm} with B transposed (per run of consecutive rows), or {@code sgemv}
 * for a single row.
 *
 * <p><b>Threads.</b> Each product is split into blocks of output columns (vocabulary entries for logits), several per
 * thread, and the backend's {@link ComputePool} runs one single-threaded BLAS call per block; a thread slowed down by
 * other processes leaves its blocks to the others. OpenBLAS's own threads are not used (see {@link OpenBlasLibrary}).
 *
 * <p>Not batch-invariant: OpenBLAS picks kernels by shape, so a row's result may differ in the last bits with the
 * other rows of its call; results agree with the reference within rounding.
 */
final class BlasMatmul implements MatmulEngine {
    /** From this many rows on, matmuls and logits run on {@code sgemm}. */
    static final int SGEMM_MIN_ROWS = 16;
    /** Column blocks start at multiples of this many floats. */
    private static final int COLUMN_ALIGN = 64;
    /** Blocks per thread: more balance the threads when other processes take turns on the cores; fewer repack less. */
    private static final int BLOCKS_PER_THREAD = 4;

    private final ComputePool pool;
    private final MatmulEngine small;

    BlasMatmul(ComputePool pool, Simd simd) {
        this.pool = pool;
        this.small = new VectorMatmul(pool, simd);
    }

    /** The pool it computes on (the backend's). */
    ComputePool pool() {
        return pool;
    }

    @Override
    public String describe() {
        return "OpenBLAS " + OpenBlasLibrary.status().version() + " sgemm from " + SGEMM_MIN_ROWS
                + " rows, sgemv for 1 row, in column blocks on " + pool.threads() + " threads; below: "
                + small.describe();
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
        Mat o = Mat.of(out.data(), n);
        Mat x = Mat.of(in.data(), k);
        Mat w = Mat.of(weight.data(), n);
        MemorySegment b = bias.data();
        inColumnBlocks(n, (j0, j1) -> {
            int nb = j1 - j0;
            for (int r = 0; r < rows; r++) {
                long at = (long) r * n + j0;
                if (epilogue == Epilogue.ACCUMULATE) {
                    Epilogues.addBias(o.data(), at, b, j0, nb);
                } else {
                    MemorySegment.copy(b, (long) j0 * Float.BYTES, o.data(), at * Float.BYTES,
                            (long) nb * Float.BYTES);
                }
            }
            Blas.gemm(o.at(0, j0), x, w.at(0, j0), false, rows, nb, k, 1, 1);
            if (epilogue == Epilogue.GELU) {
                for (int r = 0; r < rows; r++) {
                    Epilogues.gelu(o.data(), (long) r * n + j0, nb);
                }
            }
        });
    }

    @Override
    public void logits(CpuTensor out, CpuTensor hidden, int[] rows, CpuTensor wte) {
        if (rows.length > 1 && rows.length < SGEMM_MIN_ROWS) {
            small.logits(out, hidden, rows, wte);
            return;
        }
        int c = wte.cols();
        Mat h = Mat.of(hidden.data(), c);
        Mat e = Mat.of(wte.data(), c);
        Mat o = Mat.of(out.data(), out.cols());
        inColumnBlocks(wte.rows(), (v0, v1) -> {
            // one product per run of consecutive rows (a single run when a prefill scores every position)
            for (int i = 0; i < rows.length; ) {
                int run = 1;
                while (i + run < rows.length && rows[i + run] == rows[i] + run) {
                    run++;
                }
                Blas.gemm(o.at(i, v0), h.at(rows[i], 0), e.at(v0, 0), true, run, v1 - v0, c, 1, 0);
                i += run;
            }
        });
    }

    /** A block of output columns {@code [from, to)}. */
    @FunctionalInterface
    private interface ColumnBlock {
        void run(int from, int to);
    }

    /** Runs {@code body} on blocks covering {@code [0, n)} on the pool. */
    private void inColumnBlocks(int n, ColumnBlock body) {
        int units = (n + COLUMN_ALIGN - 1) / COLUMN_ALIGN;
        int blocks = Math.min(units, pool.threads() * BLOCKS_PER_THREAD);
        pool.run(blocks, (t, worker) -> body.run(Math.min(n, (int) ((long) units * t / blocks) * COLUMN_ALIGN),
                Math.min(n, (int) ((long) units * (t + 1) / blocks) * COLUMN_ALIGN)));
    }
}
