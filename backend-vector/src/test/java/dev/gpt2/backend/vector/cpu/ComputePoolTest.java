package dev.gpt2.backend.vector.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputePoolTest {

    @Test
    void sharesRunEveryTaskOnceEachThreadFromItsOwnShareInOrder() {
        ComputePool pool = new ComputePool(3, "test");
        try {
            for (int tasks : new int[] {1, 2, 3, 7, 100}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                int[][] order = new int[3][tasks];
                int[] count = new int[3];
                pool.runInShares(tasks, (t, worker) -> {
                    runs.incrementAndGet(t);
                    order[worker][count[worker]++] = t;
                });
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "task " + t + " of " + tasks);
                }
                // a worker's tasks of its own share come first, in order, from the share's start
                int shares = Math.min(3, tasks);
                for (int w = 0; w < 3 && tasks > 1; w++) {
                    int start = tasks * (w % shares) / shares;
                    int end = tasks * (w % shares + 1) / shares;
                    for (int i = 1; i < count[w] && order[w][i] < end && order[w][i] >= start; i++) {
                        assertTrue(order[w][i] > order[w][i - 1], "worker " + w + " in order within its share");
                    }
                }
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void aFailingTaskFailsTheLoopAfterTheOthersFinish() {
        ComputePool pool = new ComputePool(2, "test");
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(10);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.runInShares(10, (t, w) -> {
                runs.incrementAndGet(t);
                if (t == 3) {
                    throw new IllegalStateException("task 3 failed");
                }
            }));
            assertEquals("task 3 failed", e.getMessage());
            for (int t = 0; t < 10; t++) {
                assertEquals(1, runs.get(t), "task " + t);
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void anInterruptedCallerWaitsParkedAndKeepsItsInterrupt() throws Exception {
        ComputePool pool = new ComputePool(2, "test");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(THREAD_STAT),
                "measures the caller's CPU time in " + THREAD_STAT + " (Linux)");
        try {
            java.util.concurrent.atomic.AtomicBoolean helperStarted = new java.util.concurrent.atomic.AtomicBoolean();
            Thread.currentThread().interrupt();
            long cpu0 = threadCpuTicks();
            long t0 = System.nanoTime();
            pool.runInShares(2, (t, w) -> {
                if (w != 0) {
                    helperStarted.set(true);
                    long end = System.nanoTime() + 300_000_000L;
                    while (System.nanoTime() < end) {
                        java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
                    }
                } else {
                    while (!helperStarted.get() && System.nanoTime() - t0 < 5_000_000_000L) {
                        Thread.onSpinWait();
                    }
                }
            });
            long cpu = threadCpuTicks() - cpu0;
            long elapsed = System.nanoTime() - t0;
            assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
            assertTrue(elapsed >= 250_000_000L, "the helper's task ran " + elapsed / 1e6 + " ms");
            // the caller parks while it waits (it spun the whole 300 ms while its interrupt flag was set)
            assertTrue(cpu < 15, "the waiting caller used " + cpu + " ticks (about 10 ms each) of CPU");
        } finally {
            Thread.interrupted();
            pool.close();
        }
    }

    private static final java.nio.file.Path THREAD_STAT = java.nio.file.Path.of("/proc/thread-self/stat");

    /** The calling thread's user + system CPU time in clock ticks (fields 14 and 15 of its stat). */
    private static long threadCpuTicks() throws java.io.IOException {
        String stat = java.nio.file.Files.readString(THREAD_STAT);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
