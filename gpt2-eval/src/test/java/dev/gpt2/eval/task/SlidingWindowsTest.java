package dev.gpt2.eval.task;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlidingWindowsTest {

    @Test
    void handCheckedPlan() {
        // 10 ids, context 4, stride 2: windows [0,4) scoring 1..3, [2,6) scoring 4..5, [4,8) 6..7, [6,10) 8..9
        assertEquals(List.of(new SlidingWindows.Window(0, 4, 1), new SlidingWindows.Window(2, 6, 4),
                new SlidingWindows.Window(4, 8, 6), new SlidingWindows.Window(6, 10, 8)),
                SlidingWindows.plan(10, 4, 2));
        // the last window may be short (Hugging Face's loop): 9 ids, context 4, stride 3
        assertEquals(List.of(new SlidingWindows.Window(0, 4, 1), new SlidingWindows.Window(3, 7, 4),
                new SlidingWindows.Window(6, 9, 7)), SlidingWindows.plan(9, 4, 3));
        // a sequence that fits is one window
        assertEquals(List.of(new SlidingWindows.Window(0, 3, 1)), SlidingWindows.plan(3, 1024, 512));
        assertEquals(List.of(), SlidingWindows.plan(1, 1024, 512));
    }

    @Test
    void everyPositionAfterTheFirstIsScoredOnceWithContext() {
        for (int length = 1; length < 60; length++) {
            for (int context = 2; context < 12; context++) {
                for (int stride = 1; stride < context; stride++) {
                    int[] seen = new int[length];
                    for (SlidingWindows.Window w : SlidingWindows.plan(length, context, stride)) {
                        assertTrue(w.end() - w.begin() <= context);
                        assertTrue(w.scoreFrom() > w.begin(), "a scored position needs an earlier token");
                        for (int t = w.scoreFrom(); t < w.end(); t++) {
                            seen[t]++;
                        }
                    }
                    for (int t = 1; t < length; t++) {
                        assertEquals(1, seen[t], "position " + t + " of " + length + ", context " + context
                                + ", stride " + stride);
                    }
                }
            }
        }
    }

    @Test
    void strideMustLeaveContext() {
        assertThrows(IllegalArgumentException.class, () -> SlidingWindows.plan(10, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> SlidingWindows.plan(10, 4, 0));
    }
}
