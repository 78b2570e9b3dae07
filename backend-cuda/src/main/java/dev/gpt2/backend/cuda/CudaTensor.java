package dev.gpt2.backend.cuda;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tensor in device memory. Its shape is the logical one of the SPI ({@code rows x cols}); a matmul weight
 * ({@code transposed}) is stored as its transpose, {@code [cols, rows]}, so that each output's weights are contiguous.
 */
final class CudaTensor implements Tensor {
    final CudaBackend owner;
    final long ptr;
    final DType dtype;
    final int rows;
    final int cols;
    final boolean transposed;
    private final boolean pooled;
    private final AtomicBoolean closed = new AtomicBoolean();

    CudaTensor(CudaBackend owner, long ptr, DType dtype, int rows, int cols, boolean transposed, boolean pooled) {
        this.owner = owner;
        this.ptr = ptr;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.transposed = transposed;
        this.pooled = pooled;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.release(ptr, pooled);
        }
    }

    @Override
    public String toString() {
        return "[" + rows + ", " + cols + "] " + dtype + (transposed ? " (held transposed)" : "");
    }
}
