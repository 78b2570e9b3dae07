package dev.gpt2.backend.openblas;

import org.bytedeco.javacpp.FloatPointer;

import java.lang.foreign.MemorySegment;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

/**
 * OpenBLAS's single-precision matrix products on off-heap memory. The matrices reach BLAS by address (a JavaCPP
 * pointer over the {@link MemorySegment}): nothing is copied. Each call runs on the calling thread (OpenBLAS is set to
 * one thread, see {@link OpenBlasLibrary}), so several threads may call at once; call only once
 * {@link OpenBlasLibrary#status()} says the library loaded.
 *
 * <p>One row goes to {@code sgemv}: OpenBLAS 0.3.31's {@code sgemm} packs the whole of B for a single row and runs
 * at a tenth of {@code sgemv}'s speed there (2-9 vs 22-70 GFLOP/s on 2 Zen vCPUs at GPT-2's shapes).
 */
final class Blas {

    private Blas() {
    }

    /**
     * {@code c = alpha * a . op(b) + beta * c}.
     *
     * @param c          [m, n]
     * @param a          [m, k]
     * @param b          [k, n], or [n, k] when {@code transposeB} ({@code op(b) = b^T})
     * @param transposeB whether b is stored [n, k]
     * @param beta       0 overwrites c (whatever it holds, NaN included), 1 accumulates into it
     */
    static void gemm(Mat c, Mat a, Mat b, boolean transposeB, int m, int n, int k, float alpha, float beta) {
        c.checkFits("gemm output", m, n);
        a.checkFits("gemm left operand", m, k);
        if (transposeB) {
            b.checkFits("gemm right operand (transposed)", n, k);
        } else {
            b.checkFits("gemm right operand", k, n);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            throw new IllegalArgumentException("gemm with an empty inner dimension");
        }
        if (m == 1) {
            // y[n] = op(b) x: b [k, n] is read transposed; b [n, k] as is
            cblas_sgemv(CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, transposeB ? n : k,
                    transposeB ? k : n, alpha, pointer(b), b.stride(), pointer(a), 1, beta, pointer(c), 1);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, m, n, k, alpha,
                    pointer(a), a.stride(), pointer(b), b.stride(), beta, pointer(c), c.stride());
        }
    }

    /** A JavaCPP pointer at the first element of {@code m}; no memory of its own. */
    private static FloatPointer pointer(Mat m) {
        return new SegmentPointer(m.data(), m.offset());
    }

    /** A {@link FloatPointer} over native memory that JavaCPP did not allocate (it never frees it). */
    private static final class SegmentPointer extends FloatPointer {
        SegmentPointer(MemorySegment data, long offset) {
            address = data.address() + offset * Float.BYTES;
            capacity = data.byteSize() / Float.BYTES - offset;
            limit = capacity;
        }
    }
}
