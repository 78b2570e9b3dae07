package dev.gpt2.backend.vector.cpu;

/**
 * Per-worker heap scratch arrays, grown on demand. Safe because a {@link ComputePool} runs one loop at a time and
 * gives each of its workers a distinct index.
 */
public final class Scratch {
    private final float[][] arrays;

    /** Scratch for workers {@code 0 .. workers-1}. */
    public Scratch(int workers) {
        this.arrays = new float[workers][];
    }

    /** Worker {@code worker}'s array, at least {@code size} long; its contents are left from earlier use. */
    public float[] get(int worker, int size) {
        float[] a = arrays[worker];
        if (a == null || a.length < size) {
            a = new float[size];
            arrays[worker] = a;
        }
        return a;
    }
}
