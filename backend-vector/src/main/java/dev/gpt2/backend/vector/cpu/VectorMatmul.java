package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Epilogue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.gpt2.backend.vector.cpu.ScalarKernels.F32;

/**
 * The matmul and logits engine in Java: every output element summed in the same order whatever the number of rows
 * or threads, so it is batch-invariant.
 *
 * <p><b>matmul</b> ({@code x . W + b}, W [K, N] as the checkpoint stores it, used in place). Each output element is
 * {@code bias[j]} plus, block of {@value Kernels#K_BLOCK} k after block, the block's sum of fused multiply-adds in
 * order of k. Two paths compute exactly that:
 * <ul>
 *   <li>up to {@value #STREAM_MAX_ROWS} rows (decode): each thread streams a contiguous part of W once, block of K
 *       after block, with the few input rows riding along; then they add the blocks' partial sums in order; bound by
 *       memory bandwidth;
 *   <li>more rows (prefill): a register-tiled GEMM: the input rows are packed into panels of MR rows, each thread
 *       packs a strip of NR columns of W (all of K) and sweeps every panel with an MR x NR tile of accumulators held
 *       in registers (4 x 48 with 512-bit vectors); bound by the FMA units.
 * </ul>
 *
 * <p><b>logits</b> ({@code h . wte^T}, wte [V, C] in place): dot products along C. One row (decode): 4 vocabulary
 * entries at a time, their values converted inside the loop whatever their dtype, each thread streaming one
 * contiguous share of the vocabulary. Several rows (scoring): 4 rows by 4 entries at a time, blocks of the
 * vocabulary converted to F32 once for all rows when wte is not F32. A row's logits are the same bits either way.
 *
 * <p>Weights in any dtype of {@link CpuTensor}: the kernels convert each value to F32 just before its fma (the GEMM
 * when it packs a strip), so the arithmetic, and the results, are those of F32 weights of the same values.
 */
public final class VectorMatmul implements MatmulEngine {
    /** Up to this many rows the matmul streams the weights; above it, the packed GEMM. */
    static final int STREAM_MAX_ROWS = 8;
    /** The GEMM packs at most this many input rows at a time (bounding its heap scratch for large batches). */
    private static final int GEMM_MAX_ROWS = 1024;
    /** Column chunks of the streaming path start at multiples of this (a cache line of floats). */
    private static final int COLUMN_ALIGN = 16;
    /** Embedding rows per task of the logits of one row. */
    private static final int ONE_ROW_BLOCK = 64;
    /** Embedding rows per task of the logits of several rows, F32. */
    private static final int ROWS_BLOCK = 256;
    /** Embedding rows per task of the logits of several rows, other dtypes (converted to F32 in the worker's scratch). */
    private static final int CONVERTED_BLOCK = 64;

    private final ComputePool pool;
    private final Kernels kernels;
    private final int mr;
    private final int nr;
    private final Scratch streamAcc;
    private final Scratch strips;
    private final Scratch tiles;
    private final Scratch biasRows;
    private final Scratch dotLanes;
    private final Scratch rowBuffers;
    private final Scratch converted;
    /** Packed input panels of the GEMM; used only while holding the pool. */
    private float[] panels = new float[0];
    /** Partial sums of the blocks of K in the streaming path; used only while holding the pool. */
    private float[] partials = new float[0];

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
        this.dotLanes = new Scratch(workers);
        this.rowBuffers = new Scratch(workers);
        this.converted = new Scratch(workers);
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
        pool.exclusive(() -> {
            if (rows <= STREAM_MAX_ROWS) {
                stream(out, in, rows, weight, bias, epilogue);
            } else {
                for (int r0 = 0; r0 < rows; r0 += GEMM_MAX_ROWS) {
                    gemm(out, in, r0, Math.min(GEMM_MAX_ROWS, rows - r0), weight, bias, epilogue);
                }
            }
            return null;
        });
    }

    /**
     * Few rows, W read once from memory: tasks of one block of K (whole rows of W, contiguous, as prefetchers like
     * them), each writing its partial sums, in one share per thread ({@link ComputePool#runInShares}: each thread
     * streams one contiguous part of W); then the threads split the columns and add the blocks' partials in block
     * order and apply the epilogue. Runs while holding the pool (it owns {@link #partials}).
     */
    private void stream(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        int k = weight.rows();
        int n = weight.cols();
        int blocks = (k + Kernels.K_BLOCK - 1) / Kernels.K_BLOCK;
        int units = (n + COLUMN_ALIGN - 1) / COLUMN_ALIGN;
        long blockSize = (long) rows * n;
        if (partials.length < blocks * blockSize) {
            partials = new float[Math.toIntExact(blocks * blockSize)];
        }
        float[] part = partials;
        MemorySegment x = in.data();
        MemorySegment b = bias.data();
        MemorySegment o = out.data();
        pool.runInShares(blocks, (blk, worker) -> {
            int k0 = blk * Kernels.K_BLOCK;
            int base = Math.toIntExact(blk * blockSize);
            Arrays.fill(part, base, base + rows * n, 0f);
            kernels.streamRows(part, base, n, rows, n, x, k0, k, Math.min(Kernels.K_BLOCK, k - k0), weight, k0, 0);
        });
        int chunks = Math.min(units, pool.threads());
        pool.run(chunks, (chunk, worker) -> {
            int j0 = chunkStart(chunk, chunks, units, n);
            int j1 = chunkStart(chunk + 1, chunks, units, n);
            float[] acc = streamAcc.get(worker, j1 - j0);
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(b, F32, (long) j0 * Float.BYTES, acc, 0, j1 - j0);
                for (int i = 0; i < blocks; i++) {
                    int from = Math.toIntExact(i * blockSize) + r * n + j0;
                    for (int j = 0; j < j1 - j0; j++) {
                        acc[j] += part[from + j];
                    }
                }
                kernels.epilogue(o, (long) r * n + j0, acc, 0, j1 - j0, epilogue);
            }
        });
    }

    /** The first column of chunk {@code i} of {@code chunks} over {@code units} cache lines of floats. */
    private static int chunkStart(int i, int chunks, int units, int n) {
        return Math.min(n, (int) ((long) units * i / chunks) * COLUMN_ALIGN);
    }

    /**
     * Many rows, {@code rows} of them from {@code r0}: packed panels and strips, register tiles. Runs while holding
     * the pool (it owns {@link #panels}).
     */
    private void gemm(CpuTensor out, CpuTensor in, int r0, int rows, CpuTensor weight, CpuTensor bias,
                      Epilogue epilogue) {
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
                        MemorySegment.copy(x, F32, (long) (r0 + r) * k * Float.BYTES, row, 0, k);
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
        MemorySegment bs = bias.data();
        MemorySegment o = out.data();
        int stripCount = (n + nr - 1) / nr;
        pool.run(stripCount, (s, worker) -> {
            int j0 = s * nr;
            int width = Math.min(nr, n - j0);
            float[] strip = strips.get(worker, k * nr);
            float[] tile = tiles.get(worker, mr * nr);
            float[] biasRow = biasRows.get(worker, nr);
            kernels.packStrip(strip, weight, j0, k, width);
            if (width < nr) {
                Arrays.fill(biasRow, 0f);
            }
            MemorySegment.copy(bs, F32, (long) j0 * Float.BYTES, biasRow, 0, width);
            for (int p = 0; p < panelCount; p++) {
                kernels.gemmTile(tile, a, p * panelSize, strip, biasRow, k);
                int valid = Math.min(mr, rows - p * mr);
                for (int i = 0; i < valid; i++) {
                    kernels.epilogue(o, (long) (r0 + p * mr + i) * n + j0, tile, i * nr, width, epilogue);
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
        MemorySegment o = out.data();
        MemorySegment h = hidden.data();
        if (rows.length == 1) {
            int blocks = (v + ONE_ROW_BLOCK - 1) / ONE_ROW_BLOCK;
            pool.runInShares(blocks, (bk, worker) -> {
                int v0 = bk * ONE_ROW_BLOCK;
                kernels.dotsOneRow(o, outOff[0], h, hOff[0], wte, v0, Math.min(ONE_ROW_BLOCK, v - v0),
                        dotLanes.get(worker, c + Kernels.DOT_SCRATCH));
            });
        } else if (wte.dtype() == DType.F32) {
            int blocks = (v + ROWS_BLOCK - 1) / ROWS_BLOCK;
            pool.run(blocks, (bk, worker) -> {
                int v0 = bk * ROWS_BLOCK;
                kernels.dots(o, outOff, h, hOff, rows.length, wte.data(), v0, Math.min(ROWS_BLOCK, v - v0), c,
                        dotLanes.get(worker, Kernels.DOT_SCRATCH));
            });
        } else {
            // each block of embedding rows converted to F32 once, for all rows
            int blocks = (v + CONVERTED_BLOCK - 1) / CONVERTED_BLOCK;
            pool.run(blocks, (bk, worker) -> {
                int v0 = bk * CONVERTED_BLOCK;
                int nv = Math.min(CONVERTED_BLOCK, v - v0);
                float[] block = converted.get(worker, nv * c);
                for (int i = 0; i < nv; i++) {
                    kernels.toFloats(block, i * c, wte, v0 + i, 0, c);
                }
                long[] at = new long[rows.length];
                for (int i = 0; i < at.length; i++) {
                    at[i] = outOff[i] + v0;
                }
                kernels.dots(o, at, h, hOff, rows.length, MemorySegment.ofArray(block), 0, nv, c,
                        dotLanes.get(worker, Kernels.DOT_SCRATCH));
            });
        }
    }
}
