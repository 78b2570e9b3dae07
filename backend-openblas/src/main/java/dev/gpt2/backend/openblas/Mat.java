package dev.gpt2.backend.openblas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A row-major F32 matrix view of off-heap memory as BLAS takes it: element (i, j) is the float at index
 * {@code offset + i * stride + j} of {@code data}.
 *
 * @param data   native memory (never a heap segment: BLAS gets its address)
 * @param offset the first element, in floats
 * @param stride the distance between rows, in floats (BLAS's leading dimension)
 */
record Mat(MemorySegment data, long offset, int stride) {

    Mat {
        if (!data.isNative()) {
            throw new IllegalArgumentException("BLAS needs native memory, got a heap segment: " + data);
        }
        if (offset < 0 || stride < 1 || offset * Float.BYTES > data.byteSize()) {
            throw new IllegalArgumentException("bad matrix view: offset " + offset + ", stride " + stride + " over "
                    + data.byteSize() / Float.BYTES + " floats");
        }
    }

    /** The whole of {@code data} with rows of {@code stride} floats. */
    static Mat of(MemorySegment data, int stride) {
        return new Mat(data, 0, stride);
    }

    /** The same matrix from row {@code row} and column {@code col} on. */
    Mat at(long row, long col) {
        return new Mat(data, offset + row * stride + col, stride);
    }

    /** Element (i, j). */
    float get(long i, long j) {
        return data.getAtIndex(ValueLayout.JAVA_FLOAT, offset + i * stride + j);
    }

    /**
     * Checks that {@code rows x cols} elements from here lie inside {@code data}, so BLAS never reads or writes
     * outside it.
     */
    void checkFits(String what, int rows, int cols) {
        if (rows < 0 || cols < 0 || cols > stride) {
            throw new IllegalArgumentException(what + ": " + rows + " x " + cols + " does not fit rows of " + stride);
        }
        long last = rows == 0 || cols == 0 ? offset : offset + (long) (rows - 1) * stride + cols;
        if (last * Float.BYTES > data.byteSize()) {
            throw new IllegalArgumentException(what + ": " + rows + " x " + cols + " with stride " + stride
                    + " from float " + offset + " runs past the end of its " + data.byteSize() / Float.BYTES
                    + " floats");
        }
    }
}
