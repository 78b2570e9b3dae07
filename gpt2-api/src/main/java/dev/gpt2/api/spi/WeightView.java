package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Host bytes of one weight as the checkpoint stores them: row-major, little-endian, {@code rows x cols} values of
 * {@code dtype} (F32, F16 or BF16). Usually a slice of a memory-mapped file; the loader keeps it alive until the
 * backend is closed, so a backend may use it in place instead of copying.
 *
 * @param name  the checkpoint's name for it, for error messages ({@code h.0.attn.c_attn.weight})
 * @param dtype F32, F16 or BF16
 * @param rows  rows (1 for a vector)
 * @param cols  columns
 * @param data  exactly {@code rows * cols * bytes per value} bytes
 */
public record WeightView(String name, DType dtype, int rows, int cols, MemorySegment data) {
    /** Checks the dtype and that {@code data} holds exactly the values' bytes. */
    public WeightView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException(name + ": Q8_0 is produced by a backend, not read from a checkpoint");
        }
        long expected = (long) rows * cols * (dtype.bits() / 8);
        if (rows <= 0 || cols <= 0 || data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + rows + " x " + cols + " " + dtype + " needs " + expected
                    + " bytes, the data has " + data.byteSize());
        }
    }
}
