package dev.gpt2.hub;

import java.nio.file.Path;

/** A second process for {@link CacheLockTest}: takes the lock on a file, holds it a while, says when it lets go. */
final class LockHolder {
    private LockHolder() {
    }

    static void main(String[] args) throws Exception {
        try (CacheLock _ = CacheLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
            System.out.println("releasing");
            System.out.flush();
        }
    }
}
