package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;

/**
 * A CPU backend's tensor: a row-major matrix of {@link #rows()} by {@link #cols()} values in a {@link MemorySegment},
 * little-endian. Activations and converted weights live off-heap in an arena of their own that {@link #close} frees;
 * zero-copy weights borrow the checkpoint's mapped bytes, which their loader keeps alive.
 *
 * <p><b>Layouts</b> ({@link #data()} and {@link #scales()}), by {@link #dtype()}:
 * <ul>
 *   <li>F32: {@code rows * cols} floats; element (r, c) at index {@code r * cols + c}. Every activation is F32;
 *   <li>F16, BF16: {@code rows * cols} 16-bit values at the same indices (the checkpoint's own layout, so that a
 *       weight stored in the dtype it is held in is used in place);
 *   <li>Q8_0: {@code data} holds signed bytes, the rows in groups of four (the last group padded with zeros), each
 *       group cut into runs of {@value #Q8_RUN} columns (the last run padded with zeros) of 64 bytes: the run's bytes
 *       of the group's first row, then of its second, third and fourth. Byte (r, c) is at {@link #q8Offset
 *       q8Offset(r, c, cols)}. So one cache line holds 16 columns of four rows (the four k of a matmul step, the four
 *       vocabulary entries of a logits step), and a row's values of up to 16 columns are consecutive bytes, which a
 *       vector load and one widening conversion turn into floats (124M's 48 decode matmuls measured 4.0 ms against 5.0
 *       with a column's four bytes in one int, two shifts each, on 2 Zen 5 cores); {@code scales} holds one
 *       float per block of {@value DType#Q8_BLOCK} values along the input dimension, {@link #scaleIndex} says where.
 *       Element (r, c) is {@code scale * q} computed in float, as
 *       {@link dev.gpt2.api.spi.WeightFormats#quantizeQ8Block} defines. A matmul weight [K, N] has its blocks along
 *       the rows ({@link #blocksAlongRows()}: 32 consecutive k of one column), an embedding [n, C] along the
 *       columns.
 * </ul>
 */
public final class CpuTensor implements Tensor {
    /** Columns of one row of a Q8_0 group whose bytes are consecutive (see the class documentation). */
    static final int Q8_RUN = 16;

    private final DType dtype;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final MemorySegment scales;
    private final boolean blocksAlongRows;
    private final Arena arena;
    private final Set<AutoCloseable> owner;

    /**
     * An F32, F16 or BF16 tensor.
     *
     * @param arena frees {@code data} on close; null for borrowed bytes
     * @param owner the set of live allocations this tensor leaves when closed; null for borrowed bytes
     */
    CpuTensor(DType dtype, int rows, int cols, MemorySegment data, Arena arena, Set<AutoCloseable> owner) {
        this(dtype, rows, cols, data, null, false, arena, owner);
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException("a Q8_0 tensor needs its scales");
        }
    }

    /** A Q8_0 tensor: quantized values and scales in memory of {@code arena}, blocks as {@code blocksAlongRows}. */
    CpuTensor(int rows, int cols, MemorySegment q, MemorySegment scales, boolean blocksAlongRows, Arena arena,
              Set<AutoCloseable> owner) {
        this(DType.Q8_0, rows, cols, q, Objects.requireNonNull(scales, "scales"), blocksAlongRows, arena, owner);
    }

    private CpuTensor(DType dtype, int rows, int cols, MemorySegment data, MemorySegment scales,
                      boolean blocksAlongRows, Arena arena, Set<AutoCloseable> owner) {
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.scales = scales;
        this.blocksAlongRows = blocksAlongRows;
        this.arena = arena;
        this.owner = owner;
    }

    /** The tensor's values in the layout of its {@link #dtype()} (see the class documentation). */
    public MemorySegment data() {
        return data;
    }

    /** The scales of a Q8_0 tensor (see the class documentation); null for other dtypes. */
    public MemorySegment scales() {
        return scales;
    }

    /**
     * Whether the Q8_0 blocks run down the rows (a matmul weight [K, N]: 32 consecutive k of one column share a
     * scale) rather than along the columns (an embedding [n, C]). False for other dtypes.
     */
    public boolean blocksAlongRows() {
        return blocksAlongRows;
    }

    /** Where byte (r, c) of a Q8_0 tensor of {@code cols} columns is in {@link #data()}. */
    public static long q8Offset(long r, long c, long cols) {
        return (r >> 2) * q8GroupBytes(cols) + q8Column(c) + (r & 3) * Q8_RUN;
    }

    /** Bytes from the start of a Q8_0 group of four rows to column c's byte of its first row. */
    static long q8Column(long c) {
        return (c / Q8_RUN) * 4 * Q8_RUN + c % Q8_RUN;
    }

    /** Bytes of one group of four rows of a Q8_0 tensor of {@code cols} columns: whole runs. */
    static long q8GroupBytes(long cols) {
        return (cols + Q8_RUN - 1) / Q8_RUN * 4 * Q8_RUN;
    }

    /**
     * Bytes of the values of a Q8_0 tensor: whole groups of four rows, and 8 more, so that a vector kernel may load 8
     * bytes from any value (with 2 or 4 lanes it converts the first ones; a masked load would be slow where the CPU
     * has no masks, as NEON).
     */
    static long q8Bytes(int rows, int cols) {
        return ((rows + 3L) >> 2) * q8GroupBytes(cols) + 8;
    }

    /** Scales per row of a Q8_0 tensor whose blocks run along the columns: {@code ceil(cols / 32)}. */
    int scalesPerRow() {
        return (cols + DType.Q8_BLOCK - 1) / DType.Q8_BLOCK;
    }

    /** Where the scale of element (r, c) of a Q8_0 tensor is in {@link #scales()}, in floats. */
    long scaleIndex(long r, long c) {
        return blocksAlongRows ? r / DType.Q8_BLOCK * cols + c : r * scalesPerRow() + c / DType.Q8_BLOCK;
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
        return "CpuTensor[" + rows + " x " + cols + " " + dtype + (borrowed() ? ", borrowed" : "")
                + (dtype == DType.Q8_0 ? (blocksAlongRows ? ", blocks along rows" : ", blocks along columns") : "")
                + "]";
    }
}
