package dev.gpt2.backend.vector.cpu;

import dev.gpt2.api.spi.DeviceLimits;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;

/**
 * Measures the two limits of a CPU with all of a pool's threads: read bandwidth (summing a buffer far larger than the
 * caches) and FP32 FMA peak (independent vector FMA chains in registers). Each is the best of repeated passes within
 * half the budget, as STREAM reports its best time. Always at the CPU's widest vectors: these are the machine's
 * limits, whatever width the kernels run at.
 */
final class Limits {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long BUFFER_BYTES = 256L << 20;
    private static final int CHAINS = 12;
    /** Calls of each probe's loop on little data first, so that the timed passes run compiled code. */
    private static final int WARM_UP_CALLS = 20_000;

    private Limits() {
    }

    static DeviceLimits measure(ComputePool pool, Duration budget) {
        long half = Math.max(budget.toNanos() / 2, 1_000_000L);
        int threads = pool.threads();
        Result read = readBandwidth(pool, half);
        Result fma = fmaPeak(pool, half);
        String method = "read: sum of a " + (BUFFER_BYTES >> 20) + " MiB off-heap buffer, best and median of "
                + read.passes + " passes; FP32: " + CHAINS + " independent " + S.vectorBitSize()
                + "-bit FMA chains per thread, best of " + fma.passes + " passes; " + threads + " threads";
        return new DeviceLimits(read.perSecond, read.median, fma.perSecond, method);
    }

    /** The best pass, the median pass, and how many passes. */
    private record Result(double perSecond, double median, int passes) {
    }

    private static Result readBandwidth(ComputePool pool, long nanos) {
        int threads = pool.threads();
        float[] sink = new float[threads];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = HugePages.allocate(arena, BUFFER_BYTES);
            // written first, as weights are: untouched pages all map the kernel's zero page, which reads differently
            buffer.fill((byte) 1);
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                sink[0] += sum(buffer, 0, 1 << 12);
            }
            long chunk = BUFFER_BYTES / threads / S.vectorByteSize() / 4 * S.vectorByteSize() * 4;
            double[] rates = new double[16];
            int passes = 0;
            long start = System.nanoTime();
            do {
                long t0 = System.nanoTime();
                pool.run(threads, (task, worker) -> sink[task] += sum(buffer, task * chunk, chunk));
                long t1 = System.nanoTime();
                if (passes == rates.length) {
                    rates = Arrays.copyOf(rates, 2 * passes);
                }
                rates[passes++] = (double) chunk * threads / ((t1 - t0) * 1e-9);
            } while (System.nanoTime() - start < nanos || passes < 2);
            double[] sorted = Arrays.copyOf(rates, passes);
            Arrays.sort(sorted);
            return new Result(sorted[passes - 1], sorted[passes / 2], passes);
        }
    }

    /** The sum of {@code bytes} of floats from byte {@code from}: the read pass of the bandwidth probe. */
    static float sum(MemorySegment s, long from, long bytes) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long step = S.vectorByteSize();
        ByteOrder bo = ByteOrder.nativeOrder();
        for (long at = from, end = from + bytes; at < end; at += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, s, at, bo));
            a1 = a1.add(FloatVector.fromMemorySegment(S, s, at + step, bo));
            a2 = a2.add(FloatVector.fromMemorySegment(S, s, at + 2 * step, bo));
            a3 = a3.add(FloatVector.fromMemorySegment(S, s, at + 3 * step, bo));
        }
        return a0.add(a1).add(a2).add(a3).lane(0);
    }

    private static Result fmaPeak(ComputePool pool, long nanos) {
        int threads = pool.threads();
        float[] sink = new float[threads];
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            sink[0] += chains(64);
        }
        int iterations = 1 << 16;
        double best = 0;
        int passes = 0;
        long start = System.nanoTime();
        do {
            int n = iterations;
            long t0 = System.nanoTime();
            pool.run(threads, (task, worker) -> sink[task] += chains(n));
            long t1 = System.nanoTime();
            best = Math.max(best, 2.0 * S.length() * CHAINS * n * threads / ((t1 - t0) * 1e-9));
            passes++;
            if (t1 - t0 < 5_000_000L) {
                iterations *= 2;
            }
        } while (System.nanoTime() - start < nanos || passes < 2);
        return new Result(best, best, passes);
    }

    /** {@value #CHAINS} independent chains of {@code a = a * m + c}, converging (no overflow, no subnormals). */
    private static float chains(int iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-6f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }
}
