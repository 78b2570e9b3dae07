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
}
