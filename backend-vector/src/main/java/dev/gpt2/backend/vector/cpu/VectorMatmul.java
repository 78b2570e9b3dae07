package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.Epilogue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.gpt2.backend.vector.cpu.ScalarKernels.F32;

/**
 * The matmul and logits engine in Java: every output element summed in the same order whatever the number of rows
 * or threads, so it is batch-invariant.
 *
 * <p><b>matmul</b> ({@code x . W + b}, W [K, N] as the checkpoint stores it, used in place). Each output element is
 * {@code bias[j]} followed by one fused multiply-add per k, in order of k. Two paths compute exactly that:
 * <ul>
 *   <li>up to {@value #STREAM_MAX_ROWS} rows (decode): the threads split the columns into contiguous chunks and stream
 *       W once, row after row, with the few input rows riding along; bound by memory bandwidth;
 *   <li>more rows (prefill): a register-tiled GEMM: the input rows are packed into panels of MR rows, each thread
 *       packs a strip of NR columns of W (all of K) and sweeps every panel with an MR x NR tile of accumulators held
 *       in registers (4 x 48 with 512-bit vectors); bound by the FMA units.
 * </ul>
 *
 * <p><b>logits</b> ({@code h . wte^T}, wte [V, C] in place): dot products along C, 4 rows by 4 vocabulary entries at
 * a time, the threads splitting the vocabulary into blocks.
 */
public final class VectorMatmul implements MatmulEngine {
    /** Up to this many rows the matmul streams the weights; above it, the packed GEMM. */
    static final int STREAM_MAX_ROWS = 8;
    /** Accumulator floats per worker in the streaming path (rows x columns of one block). */
    private static final int STREAM_BLOCK = 2048;
    /** Column chunks of the streaming path start at multiples of this (a cache line of floats). */
    private static final int COLUMN_ALIGN = 16;

    private final ComputePool pool;
    private final Kernels kernels;
    private final int mr;
    private final int nr;
    private final Scratch streamAcc;
    private final Scratch strips;
    private final Scratch tiles;
    private final Scratch biasRows;
    private final Scratch rowBuffers;
    /** Packed input panels of the GEMM; used only while holding the pool. */
    private float[] panels = new float[0];

    /** An engine computing on {@code pool} with the {@code simd} kernels. */
    public VectorMatmul(ComputePool pool, Simd simd) {
        this.pool = pool;
        this.kernels = simd.kernels();
        this.mr = kernels.tileRows();
        this.nr = kernels.tileCols();
        int workers = pool.threads();
        this.streamAcc = new Scratch(workers);
        this.strips = new Scratch(workers);
        this.tiles = new Scratch(workers);
        this.biasRows = new Scratch(workers);
        this.rowBuffers = new Scratch(workers);
    }

    @Override
    public String describe() {
        return "Java GEMM with " + mr + "x" + nr + " register tiles, weight streaming up to " + STREAM_MAX_ROWS
                + " rows";
    }

    @Override
    public boolean batchInvariant() {
        return true;
    }

    @Override
    public void matmul(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        if (rows <= STREAM_MAX_ROWS) {
            stream(out, in, rows, weight, bias, epilogue);
        } else {
            pool.exclusive(() -> {
                gemm(out, in, rows, weight, bias, epilogue);
                return null;
            });
        }
    }

    /** Few rows: columns split among the threads, W read once from memory. */
    private void stream(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        int k = weight.rows();
        int n = weight.cols();
        int units = (n + COLUMN_ALIGN - 1) / COLUMN_ALIGN;
        int tasks = Math.min(pool.threads(), units);
        int blockCols = Math.max(COLUMN_ALIGN, STREAM_BLOCK / rows / COLUMN_ALIGN * COLUMN_ALIGN);
        MemorySegment x = in.data();
        MemorySegment w = weight.data();
        MemorySegment b = bias.data();
        MemorySegment o = out.data();
        pool.run(tasks, (task, worker) -> {
            int j0 = Math.min(n, (int) ((long) units * task / tasks) * COLUMN_ALIGN);
            int j1 = Math.min(n, (int) ((long) units * (task + 1) / tasks) * COLUMN_ALIGN);
            for (int jb = j0; jb < j1; jb += blockCols) {
                int nb = Math.min(blockCols, j1 - jb);
                float[] acc = streamAcc.get(worker, rows * nb);
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(b, F32, (long) jb * Float.BYTES, acc, r * nb, nb);
                }
                kernels.streamRows(acc, rows, nb, x, 0, k, w, jb, n);
                for (int r = 0; r < rows; r++) {
                    kernels.epilogue(o, (long) r * n + jb, acc, r * nb, nb, epilogue);
                }
            }
        });
    }

    /** Many rows: packed panels and strips, register tiles. Runs while holding the pool (it owns {@link #panels}). */
    private void gemm(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        int k = weight.rows();
        int n = weight.cols();
        int panelCount = (rows + mr - 1) / mr;
        int panelSize = k * mr;
        if (panels.length < (long) panelCount * panelSize) {
            panels = new float[Math.multiplyExact(panelCount, panelSize)];
        }
        float[] a = panels;
        MemorySegment x = in.data();
        int packTasks = Math.min(panelCount, pool.threads() * 4);
        pool.run(packTasks, (task, worker) -> {
            float[] row = rowBuffers.get(worker, k);
            for (int p = panelCount * task / packTasks; p < panelCount * (task + 1) / packTasks; p++) {
                int base = p * panelSize;
                for (int i = 0; i < mr; i++) {
                    int r = p * mr + i;
                    if (r < rows) {
                        MemorySegment.copy(x, F32, (long) r * k * Float.BYTES, row, 0, k);
                        for (int kk = 0; kk < k; kk++) {
                            a[base + kk * mr + i] = row[kk];
                        }
                    } else {
                        for (int kk = 0; kk < k; kk++) {
                            a[base + kk * mr + i] = 0f;
                        }
                    }
                }
            }
        });
        MemorySegment w = weight.data();
        MemorySegment bs = bias.data();
        MemorySegment o = out.data();
        int stripCount = (n + nr - 1) / nr;
        pool.run(stripCount, (s, worker) -> {
            int j0 = s * nr;
            int width = Math.min(nr, n - j0);
            float[] strip = strips.get(worker, k * nr);
            float[] tile = tiles.get(worker, mr * nr);
            float[] biasRow = biasRows.get(worker, nr);
            if (width < nr) {
                Arrays.fill(strip, 0, k * nr, 0f);
                Arrays.fill(biasRow, 0f);
            }
            for (int kk = 0; kk < k; kk++) {
                MemorySegment.copy(w, F32, ((long) kk * n + j0) * Float.BYTES, strip, kk * nr, width);
            }
            MemorySegment.copy(bs, F32, (long) j0 * Float.BYTES, biasRow, 0, width);
            for (int p = 0; p < panelCount; p++) {
                kernels.gemmTile(tile, a, p * panelSize, strip, biasRow, k);
                int valid = Math.min(mr, rows - p * mr);
                for (int i = 0; i < valid; i++) {
                    kernels.epilogue(o, (long) (p * mr + i) * n + j0, tile, i * nr, width, epilogue);
                }
            }
        });
    }

    @Override
    public void logits(CpuTensor out, CpuTensor hidden, int[] rows, CpuTensor wte) {
        int v = wte.rows();
        int c = wte.cols();
        long[] hOff = new long[rows.length];
        long[] outOff = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            hOff[i] = (long) rows[i] * c;
            outOff[i] = (long) i * out.cols();
        }
        int block = rows.length >= 16 ? 256 : 64;
        int blocks = (v + block - 1) / block;
        MemorySegment o = out.data();
        MemorySegment h = hidden.data();
        MemorySegment e = wte.data();
        pool.run(blocks, (bk, worker) -> {
            int v0 = bk * block;
            kernels.dots(o, outOff, h, hOff, rows.length, e, v0, Math.min(block, v - v0), c);
        });
    }
}
