package dev.gpt2.backend.cuda;

import java.util.Arrays;

/**
 * One recorded piece of GPU work. A {@link Lane} collects them between two synchronisations and replays an identical
 * sequence as one CUDA graph, so equality is by value: same kernel, launch shape and parameters.
 */
sealed interface Op permits Op.Launch, Op.Gemm, Op.ToHost {

    /**
     * A kernel launch.
     *
     * @param slots its parameters, see {@link KernelArgs}
     */
    record Launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, long[] slots)
            implements Op {
        @Override
        public boolean equals(Object o) {
            return o instanceof Launch l && kernel == l.kernel && gridX == l.gridX && gridY == l.gridY
                    && gridZ == l.gridZ && block == l.block && sharedBytes == l.sharedBytes
                    && Arrays.equals(slots, l.slots);
        }

        @Override
        public int hashCode() {
            return ((kernel.hashCode() * 31 + gridX) * 31 + gridY * 7 + gridZ) * 31 + Arrays.hashCode(slots);
        }

        @Override
        public String toString() {
            return kernel.symbol() + "<<<(" + gridX + "," + gridY + "," + gridZ + ")," + block + "," + sharedBytes
                    + ">>>";
        }
    }

    /**
     * {@code cublasGemmEx} in column-major terms: {@code c [m, n] = op(a) . op(b) (+ c when accumulate)}.
     * Row-major {@code y [R, N] = x [R, K] . W} with W held as {@code wt [N, K]} is {@code m = N, n = R, k = K},
     * {@code a = wt} transposed, {@code b = x}.
     */
    record Gemm(int transA, int transB, int m, int n, int k, long a, int aType, int lda, long b, int bType, int ldb,
                boolean accumulate, long c, int ldc, int computeType) implements Op {
    }

    /** A copy of {@code bytes} from device memory to this lane's page-locked result buffer. */
    record ToHost(long hostAddress, long devicePointer, long bytes) implements Op {
    }
}
