package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * A CPU backend's tensor: a row-major matrix in a {@link MemorySegment} of little-endian F32 values (the only dtype
 * held so far). Activations and converted weights live off-heap in an arena of their own that {@link #close} frees;
 * zero-copy weights borrow the checkpoint's mapped bytes, which their loader keeps alive.
 */
public final class CpuTensor implements Tensor {
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final Arena arena;
    private final Set<AutoCloseable> owner;

    /**
     * @param arena frees {@code data} on close; null for borrowed bytes
     * @param owner the set of live allocations this tensor leaves when closed; null for borrowed bytes
     */
    CpuTensor(DType dtype, int rows, int cols, MemorySegment data, Arena arena, Set<AutoCloseable> owner) {
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.arena = arena;
        this.owner = owner;
    }

    /** The tensor's bytes: {@code rows * cols} F32 values, row-major, little-endian. */
    public MemorySegment data() {
        return data;
    }

    /** Whether the bytes are borrowed from the caller (a weight used in place) rather than owned by the backend. */
    public boolean borrowed() {
        return arena == null;
    }

    /**
     * {@code tensor} as a CPU tensor.
     *
     * @throws IllegalArgumentException when another kind of backend made it
     */
    public static CpuTensor of(Tensor tensor) {
        if (tensor instanceof CpuTensor t) {
            return t;
        }
        throw new IllegalArgumentException("not a tensor of a CPU backend: " + tensor + "; pass only tensors this"
                + " backend made");
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

    @Override
    public void close() {
        if (owner != null) {
            owner.remove(this);
        }
        if (arena != null && arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosed) {
                // another thread closed it first: closing is idempotent
            }
        }
    }

    @Override
    public String toString() {
        return "CpuTensor[" + rows + " x " + cols + " " + dtype + (borrowed() ? ", borrowed" : "") + "]";
    }
}
