package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Seeded random inputs of the kernel benchmarks: the values do not change the work, only make it real. */
final class RandomData {
    private RandomData() {
    }

    /** An F32 weight of {@code rows x cols} about N(0, 0.02), as GPT-2 is initialised, in {@code arena}. */
    static WeightView weight(Arena arena, String name, int rows, int cols, long seed) {
        long n = (long) rows * cols;
        MemorySegment data = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (0.02 * random.nextGaussian()));
        }
        return new WeightView(name, DType.F32, rows, cols, data);
    }

    /** {@code count} values about N(0, 1): activations. */
    static float[] activations(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** {@code count} token ids in {@code [0, vocab)}. */
    static int[] ids(int count, int vocab, long seed) {
        return new SplittableRandom(seed).ints(count, 0, vocab).toArray();
    }
}
