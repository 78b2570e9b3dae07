package dev.gpt2.core;

import dev.gpt2.api.Cancellation;
import dev.gpt2.api.Generation;
import dev.gpt2.api.GenerationOptions;
import dev.gpt2.api.GenerationRequest;
import dev.gpt2.api.StopReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** close(): it waits for the calls running, fails the later ones, and cannot be held up by a call made meanwhile. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a deadlock fails instead of hanging
class CloseTest {
    private static final GenerationOptions TEN = GenerationOptions.defaults().withMaxNewTokens(10)
            .withStopAtEndOfText(false);

    @Test
    void closeWaitsForTheRunningCallAndFailsTheLaterOnes() throws Exception {
        Gpt2Model model = Gpt2.load(Fixtures.model("tiny-a").toString(), Fixtures.reference());
        CountDownLatch generating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Generation> running = CompletableFuture.supplyAsync(() -> model.generate(
                new GenerationRequest(new int[] {1, 2, 3}, TEN, token -> {
                    generating.countDown();
                    await(release);
                }, new Cancellation())));
        assertTrue(generating.await(30, TimeUnit.SECONDS));
        Thread closer = Thread.ofPlatform().start(model::close);
        waitUntilBlocked(closer);
        // a call from another thread while close() waits fails at once
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> model.encode("late"));
        assertEquals("the model is closed", late.getMessage());
        release.countDown();
        Generation g = running.get(30, TimeUnit.SECONDS);
        assertEquals(10, g.ids().length);
        assertEquals(StopReason.MAX_TOKENS, g.stopReason());
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!closer.isAlive());
        assertThrows(IllegalStateException.class, () -> model.decode(new int[] {1}));
        model.close();
    }

    @Test
    void aListenerWaitingForACallOnAnotherThreadDoesNotHoldCloseUpForEver() throws Exception {
        Gpt2Model model = Gpt2.load(Fixtures.model("tiny-a").toString(), Fixtures.reference());
        CountDownLatch generating = new CountDownLatch(1);
        Thread[] closer = new Thread[1];
        Throwable[] seen = new Throwable[1];
        Future<Generation> running = CompletableFuture.supplyAsync(() -> model.generate(
                new GenerationRequest(new int[] {1, 2, 3}, TEN, token -> {
                    if (token.index() == 0) {
                        generating.countDown();
                        waitUntilBlocked(closer);
                        // a call on this thread is part of the running one: it still works
                        model.decode(new int[] {token.id()});
                        // one on another thread, awaited here: it used to queue behind close() for ever
                        try {
                            // its own thread (a common-pool worker waiting for a future may run the task itself)
                            CompletableFuture<String> other = new CompletableFuture<>();
                            Thread.ofPlatform().start(() -> {
                                try {
                                    other.complete(model.decode(new int[] {5}));
                                } catch (RuntimeException e) {
                                    other.completeExceptionally(e);
                                }
                            });
                            other.get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            seen[0] = e.getCause();
                        } catch (Exception e) {
                            seen[0] = e;
                        }
                    }
                }, new Cancellation())));
        assertTrue(generating.await(30, TimeUnit.SECONDS));
        closer[0] = Thread.ofPlatform().start(model::close);
        Generation g = running.get(60, TimeUnit.SECONDS);
        assertEquals(10, g.ids().length);
        assertInstanceOf(IllegalStateException.class, seen[0], String.valueOf(seen[0]));
        closer[0].join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!closer[0].isAlive());
    }

    /** Waits until {@code holder[0]} (or the thread) is parked: close() waiting for the running calls. */
    private static void waitUntilBlocked(Thread... holder) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            Thread t = holder[0];
            if (t != null && t.getState() == Thread.State.WAITING) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("close() did not start waiting");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
