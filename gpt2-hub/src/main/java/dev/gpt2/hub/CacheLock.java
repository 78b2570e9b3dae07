package dev.gpt2.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a {@code .lock} file, held while one blob is downloaded, so that two processes (or two
 * threads) fetching the same file take turns: the second finds the blob done. A file lock alone is per process
 * (a second one from the same JVM fails), hence the in-process lock taken first.
 *
 * <p>The lock file is the one huggingface_hub uses, but on Linux the JDK's file locks ({@code fcntl}) and Python's
 * {@code filelock} ({@code flock}) do not see each other; a download that a Python process wrote into at the same
 * time is caught by its length and deleted (see {@link BlobFetcher}).
 */
final class CacheLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final System.Logger LOG = System.getLogger(CacheLock.class.getName());

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private CacheLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Waits for the lock on {@code lockFile}, creating it if needed; says so every ten seconds of waiting. */
    static CacheLock acquire(Path lockFile) throws IOException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        try {
            while (!local.tryLock(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.INFO, "waiting for another download of the same file ({0})", lockFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + lockFile, e);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(lockFile.getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                LOG.log(System.Logger.Level.INFO, "waiting for another process downloading the same file ({0})",
                        lockFile);
                fileLock = channel.lock();
            }
            return new CacheLock(local, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            local.unlock();
        }
    }
}
