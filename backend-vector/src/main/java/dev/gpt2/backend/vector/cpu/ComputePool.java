package dev.gpt2.backend.vector.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The one pool of compute threads a CPU backend owns: {@code threads - 1} helper threads plus the calling thread.
 *
 * <p>{@link #run} runs one parallel loop at a time: a caller takes the pool (callers from other threads wait their
 * turn), works on its own tasks together with the helpers, and returns when all are done. So however many threads
 * call the backend at once, at most {@link #threads()} threads compute, and each kernel gets all of them. Helpers
 * spin briefly between loops (the next kernel usually follows within microseconds) and then park.
 *
 * <p>Each task learns which worker runs it ({@code 0 .. threads-1}), so that kernels can keep per-worker scratch;
 * worker indices are unique while a loop runs. Tasks must not call {@link #run} themselves.
 */
public final class ComputePool {

    /** One task of a parallel loop. */
    @FunctionalInterface
    public interface Task {
        /**
         * @param task   the task index, {@code 0 .. tasks-1}
         * @param worker the worker running it, {@code 0 .. threads-1}
         */
        void run(int task, int worker);
    }

    /** How long an idle helper or a waiting caller spins before it parks. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final int threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Helper[] helpers;
    private volatile Job job;
    private volatile boolean closed;

    /**
     * Starts {@code threads - 1} daemon helper threads; only a {@link CpuBackend} makes pools.
     *
     * @param name used in the helpers' thread names ({@code gpt2-vector-1} ...)
     */
    ComputePool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("a compute pool needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.helpers = new Helper[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper(i + 1);
            Thread t = Thread.ofPlatform().daemon().name("gpt2-" + name + "-" + (i + 1)).unstarted(helpers[i]);
            helpers[i].thread = t;
            t.start();
        }
    }

    /** How many threads compute: the helpers and the caller. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} for every index in {@code [0, tasks)} on the pool's threads and the caller's, and returns when
     * all are done. Tasks are claimed in index order by whichever thread is free. An exception thrown by a task is
     * rethrown here (after the other tasks have finished).
     */
    public void run(int tasks, Task task) {
        run(tasks, task, 1);
    }

    /**
     * {@link #run}, but the tasks are cut into one contiguous share per thread, and each thread works through its own
     * share in index order before it helps with what is left of the others'. For tasks that stream consecutive
     * memory: each thread's reads stay sequential (as prefetchers want), and what one task leaves for a later task of
     * the same share (partial sums) stays in that thread's cache; a thread the system holds up still loses its work
     * to the others.
     */
    public void runInShares(int tasks, Task task) {
        run(tasks, task, threads);
    }

    private void run(int tasks, Task task, int shares) {
        if (tasks <= 0) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the backend is closed");
            }
            if (tasks == 1 || helpers.length == 0) {
                for (int t = 0; t < tasks; t++) {
                    task.run(t, 0);
                }
                return;
            }
            Job j = new Job(task, tasks, Math.min(shares, tasks), Thread.currentThread());
            job = j;
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h.thread);
                }
            }
            j.work(0);
            j.awaitDone();
            job = null;
            j.rethrow();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} on the calling thread while it holds the pool: no other caller's loop runs meanwhile, and
     * {@link #run} calls inside it use the pool as usual. For work that spans several loops with shared scratch, and
     * for native libraries with threads of their own (BLAS), which must not compete with the pool's.
     */
    public <T> T exclusive(Supplier<T> action) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the backend is closed");
            }
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the helpers, after the loop in progress (if any) ends. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        for (Helper h : helpers) {
            LockSupport.unpark(h.thread);
        }
    }

    /**
     * One parallel loop: tasks claimed in order, from {@code shares} contiguous shares; worker w starts with share
     * {@code w % shares}, then takes what is left of the next ones.
     */
    private static final class Job {
        final Task task;
        final int tasks;
        final Thread caller;
        final AtomicInteger[] next;
        final int[] end;
        final AtomicInteger done = new AtomicInteger();
        volatile boolean callerParked;
        volatile Throwable failure;

        Job(Task task, int tasks, int shares, Thread caller) {
            this.task = task;
            this.tasks = tasks;
            this.caller = caller;
            this.next = new AtomicInteger[shares];
            this.end = new int[shares];
            for (int s = 0; s < shares; s++) {
                next[s] = new AtomicInteger((int) ((long) tasks * s / shares));
                end[s] = (int) ((long) tasks * (s + 1) / shares);
            }
        }

        void work(int worker) {
            for (int k = 0; k < next.length; k++) {
                int s = (worker + k) % next.length;
                int t;
                while ((t = next[s].getAndIncrement()) < end[s]) {
                    try {
                        task.run(t, worker);
                    } catch (Throwable e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                    if (done.incrementAndGet() == tasks && callerParked) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        void awaitDone() {
            long start = System.nanoTime();
            boolean interrupted = false;
            while (done.get() < tasks) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (done.get() < tasks) {
                    LockSupport.park(this);
                    // park() returns at once while the caller's interrupt flag is set: clear it (the loop would spin)
                    // and set it again when the tasks are done
                    interrupted |= Thread.interrupted();
                }
                callerParked = false;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() {
            Throwable e = failure;
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException("a compute task failed: " + e, e);
            }
        }
    }

    /** A helper thread: runs the tasks of each new loop, spins a while, then parks until the next. */
    private final class Helper implements Runnable {
        final int worker;
        Thread thread;
        volatile boolean parked;

        Helper(int worker) {
            this.worker = worker;
        }

        @Override
        public void run() {
            Job last = null;
            long idleSince = System.nanoTime();
            while (!closed) {
                Job j = job;
                if (j != null && j != last) {
                    last = j;
                    j.work(worker);
                    idleSince = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                j = job;
                if (!closed && (j == null || j == last)) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}
