package dev.gpt2.backend.openblas;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.AttentionBatch;
import dev.gpt2.api.spi.Epilogue;
import dev.gpt2.backend.vector.cpu.ComputePool;
import dev.gpt2.backend.vector.cpu.CpuCache;
import dev.gpt2.backend.vector.cpu.CpuTensor;
import dev.gpt2.backend.vector.cpu.MatmulEngine;
import dev.gpt2.backend.vector.cpu.Scratch;
import dev.gpt2.backend.vector.cpu.Simd;
import dev.gpt2.backend.vector.cpu.VectorMatmul;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The matmul and logits engine on OpenBLAS, for the CPU backend of {@code backend-vector}.
 *
 * <p><b>Which kernel for which shape</b> (measured with GPT-2 124M's shapes on 2 shared Zen 5 vCPUs):
 * <ul>
 *   <li>from {@value #SGEMM_MIN_ROWS} rows on (prefill, scoring): {@code sgemm}. At 512 rows one thread ran
 *       150-175 GFLOP/s with OpenBLAS's AVX-512 kernels (SkylakeX, Cooperlake) and 65-85 with its AVX2 ones
 *       (Haswell). The bias is written into the output first and the product added to it ({@code beta = 1}); GELU
 *       follows in place, with the arithmetic of the Java engine ({@link Simd#gelu});
 *   <li>1 to {@value #SGEMM_MIN_ROWS} - 1 rows (decode, a few sequences decoding together): the Java engine
 *       ({@link VectorMatmul}), which streams one contiguous share of the weights per thread, once for all rows;
 *       OpenBLAS's {@code sgemm} packs the weights and ran at 2-20 GFLOP/s there, and whole decode steps of 124M ran
 *       at 41-44 tokens/s with {@code sgemv} in column blocks against 62-71 with the Java engine (same machine,
 *       f32, one after the other).
 * </ul>
 * Logits are {@code h . wte^T}, a {@code sgemm} with B transposed (per run of consecutive rows) from
 * {@value #SGEMM_MIN_ROWS} rows on (scoring), the Java engine below. BLAS multiplies F32 only: weights held as F16,
 * BF16 or Q8_0 go to the Java engine, which converts them inside its kernels.
 *
 * <p><b>Attention</b> of a sequence with at least {@value #SGEMM_MIN_ROWS} new rows (a prompt) runs as BLAS products
 * per head ({@link BlasAttention}) over the CPU backend's cache, whose transposed keys are the right operand of
 * {@code Q K^T} as they lie; fewer rows (decode) stay on the CPU backend's fused kernel.
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
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    /** Blocks per thread: more balance the threads when other processes take turns on the cores; fewer repack less. */
    private static final int BLOCKS_PER_THREAD = 4;

    private final ComputePool pool;
    private final Simd simd;
    private final MatmulEngine small;
    /** Per-worker rows of the GELU epilogue. */
    private final Scratch geluRows;
    /** Per-worker rows of {@link Simd#softmaxPrefix} in {@link BlasAttention}. */
    private final Scratch softmaxRows;
    /** Per-worker scores of {@link BlasAttention}, native; safe because the pool runs one loop at a time. */
    private final MemorySegment[] scratch;

    BlasMatmul(ComputePool pool, Simd simd) {
        this.pool = pool;
        this.simd = simd;
        this.small = new VectorMatmul(pool, simd);
        this.geluRows = new Scratch(pool.threads());
        this.softmaxRows = new Scratch(pool.threads());
        this.scratch = new MemorySegment[pool.threads()];
    }

    @Override
    public String describe() {
        return OpenBlasLibrary.describe() + ": sgemm from " + SGEMM_MIN_ROWS + " rows in column blocks on "
                + pool.threads() + " threads; attention of " + SGEMM_MIN_ROWS + " rows or more as BLAS per head (tiles"
                + " of " + BlasAttention.TILE + " rows); F32 weights only, the others and fewer rows on "
                + small.describe();
    }

    @Override
    public boolean batchInvariant() {
        return false;
    }

    @Override
    public void matmul(CpuTensor out, CpuTensor in, int rows, CpuTensor weight, CpuTensor bias, Epilogue epilogue) {
        if (weight.dtype() != DType.F32 || rows < SGEMM_MIN_ROWS) {
            small.matmul(out, in, rows, weight, bias, epilogue);
            return;
        }
        int k = weight.rows();
        int n = weight.cols();
        Mat o = Mat.of(out.data(), n);
        Mat x = Mat.of(in.data(), k);
        Mat w = Mat.of(weight.data(), n);
        MemorySegment b = bias.data();
        inColumnBlocks(n, (j0, j1, worker) -> {
            int nb = j1 - j0;
            for (int r = 0; r < rows; r++) {
                long at = (long) r * n + j0;
                if (epilogue == Epilogue.ACCUMULATE) {
                    addBias(o.data(), at, b, j0, nb);
                } else {
                    MemorySegment.copy(b, (long) j0 * Float.BYTES, o.data(), at * Float.BYTES,
                            (long) nb * Float.BYTES);
                }
            }
            Blas.gemm(o.at(0, j0), x, w.at(0, j0), false, rows, nb, k, 1, 1);
            if (epilogue == Epilogue.GELU) {
                float[] row = geluRows.get(worker, nb);
                for (int r = 0; r < rows; r++) {
                    simd.gelu(o.data(), (long) r * n + j0, nb, row);
                }
            }
        });
    }

    @Override
    public void logits(CpuTensor out, CpuTensor hidden, int[] rows, CpuTensor wte) {
        if (wte.dtype() != DType.F32 || rows.length < SGEMM_MIN_ROWS) {
            small.logits(out, hidden, rows, wte);
            return;
        }
        int c = wte.cols();
        Mat h = Mat.of(hidden.data(), c);
        Mat e = Mat.of(wte.data(), c);
        Mat o = Mat.of(out.data(), out.cols());
        inColumnBlocks(wte.rows(), (v0, v1, worker) -> {
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

    @Override
    public boolean attention(CpuTensor out, CpuTensor qkv, int layer, AttentionBatch.Slice slice, CpuCache cache) {
        if (slice.rows() < SGEMM_MIN_ROWS) {
            return false;
        }
        int c = out.cols();
        int hd = cache.headDim();
        Mat outs = Mat.of(out.data(), c);
        Mat in = Mat.of(qkv.data(), 3 * c);
        float scale = (float) (1 / Math.sqrt(hd));
        long floats = BlasAttention.scratchFloats(slice.rows(), slice.pastLength());
        pool.run(cache.heads(), (h, worker) -> {
            Mat keys = new Mat(cache.keys(), cache.keyBase(layer, h), cache.keyStride());
            Mat values = new Mat(cache.values(), cache.valueBase(layer, h), hd);
            BlasAttention.head(outs.at(slice.firstRow(), (long) h * hd), in.at(slice.firstRow(), (long) h * hd), keys,
                    true, values, slice.rows(), slice.pastLength(), hd, scale, scratch(worker, floats), simd,
                    softmaxRows.get(worker, Simd.softmaxScratch(slice.pastLength() + slice.rows())));
        });
        return true;
    }

    /** Worker {@code worker}'s scratch, at least {@code floats} long; inside a pool loop, which runs alone. */
    private MemorySegment scratch(int worker, long floats) {
        MemorySegment s = scratch[worker];
        if (s == null || s.byteSize() < floats * Float.BYTES) {
            s = Arena.ofAuto().allocate(floats * Float.BYTES, 64);
            scratch[worker] = s;
        }
        return s;
    }

    /** A block of output columns {@code [from, to)}, on worker {@code worker} of the pool. */
    @FunctionalInterface
    private interface ColumnBlock {
        void run(int from, int to, int worker);
    }

    /** Runs {@code body} on blocks covering {@code [0, n)} on the pool. */
    private void inColumnBlocks(int n, ColumnBlock body) {
        int units = (n + COLUMN_ALIGN - 1) / COLUMN_ALIGN;
        int blocks = Math.min(units, pool.threads() * BLOCKS_PER_THREAD);
        pool.run(blocks, (t, worker) -> body.run(Math.min(n, (int) ((long) units * t / blocks) * COLUMN_ALIGN),
                Math.min(n, (int) ((long) units * (t + 1) / blocks) * COLUMN_ALIGN), worker));
    }

    /** {@code out[at + j] += bias[from + j]} for j < n, on the Vector API. */
    private static void addBias(MemorySegment out, long at, MemorySegment bias, long from, int n) {
        int up = S.loopBound(n);
        int j = 0;
        for (; j < up; j += S.length()) {
            FloatVector o = FloatVector.fromMemorySegment(S, out, (at + j) * Float.BYTES, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(S, bias, (from + j) * Float.BYTES, ORDER);
            o.add(b).intoMemorySegment(out, (at + j) * Float.BYTES, ORDER);
        }
        for (; j < n; j++) {
            out.setAtIndex(F32, at + j, out.getAtIndex(F32, at + j) + bias.getAtIndex(F32, from + j));
        }
    }
}
