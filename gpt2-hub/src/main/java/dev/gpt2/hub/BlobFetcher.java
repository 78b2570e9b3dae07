package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.hub.HubClient.FileMetadata;
import dev.gpt2.hub.HubClient.Transfer;
import dev.gpt2.hub.progress.Progress;
import dev.gpt2.hub.progress.ProgressBar;
import dev.gpt2.hub.progress.ProgressUnit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Puts one file of a repo into the cache: {@code snapshots/<commit>/<file>} pointing to {@code blobs/<etag>}.
 *
 * <p>Under the blob's lock: receive into {@code blobs/<etag>.incomplete} (resuming from its length with an HTTP
 * range), retry a cut transfer up to five times in a row without progress, check the length and, for an LFS file
 * whose ETag is a SHA-256, the SHA-256 of the content; then rename to {@code blobs/<etag>} and link the snapshot
 * entry. A bad download is deleted; an interrupted one stays {@code .incomplete} for the next run to resume.
 */
final class BlobFetcher {
    private static final int MAX_RETRIES = 5;
    private static final int BUFFER_SIZE = 1 << 16;

    private final HubClient client;
    private final HubCache cache;
    private final Progress progress;
    private final Duration downloadTimeout;
    private final Duration retryDelay;

    BlobFetcher(HubClient client, HubCache cache, Progress progress, HubSettings settings) {
        this.client = client;
        this.cache = cache;
        this.progress = progress;
        this.downloadTimeout = settings.downloadTimeout();
        this.retryDelay = settings.retryDelay();
    }

    /**
     * Makes {@code snapshot/file} available.
     *
     * @return whether bytes were downloaded (false: the file or its blob was already in the cache)
     */
    boolean fetch(RepoId repo, Path repoFolder, Path snapshot, String file, FileMetadata metadata) {
        Path pointer = RepoPaths.inside(snapshot, file, repo + "'s file list");
        if (Files.exists(pointer)) {
            return false;
        }
        Path blob = cache.blob(repoFolder, metadata.etag());
        try (CacheLock _ = CacheLock.acquire(cache.lockFile(repoFolder, metadata.etag()))) {
            if (Files.exists(pointer)) {
                return false;
            }
            boolean download = !Files.exists(blob);
            if (download) {
                download(repo, file, metadata, blob);
            }
            cache.link(pointer, blob);
            return download;
        } catch (IOException e) {
            throw HubCache.cannotWrite(cache.lockFile(repoFolder, metadata.etag()), e);
        }
    }

    private void download(RepoId repo, String file, FileMetadata metadata, Path blob) {
        Path incomplete = blob.resolveSibling(blob.getFileName() + ".incomplete");
        MessageDigest sha256 = RepoPaths.isSha256(metadata.etag()) ? newSha256() : null;
        String what = repo + " " + file;
        try {
            Files.createDirectories(blob.getParent());
        } catch (IOException e) {
            throw HubCache.cannotWrite(blob.getParent(), e);
        }
        try (FileChannel channel = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long offset = channel.size();
            if (offset > metadata.size()) {
                channel.truncate(0);
                offset = 0;
            }
            if (sha256 != null && offset > 0) {
                hashPrefix(channel, offset, sha256);
            }
            channel.position(offset);
            warnIfShortOfSpace(incomplete, metadata.size() - offset);
            if (offset > 0) {
                progress.note("Resuming " + what + " from " + ProgressUnit.BYTES.amount(offset) + " of "
                        + ProgressUnit.BYTES.amount(metadata.size()));
            }
            try (ProgressBar bar = progress.start(file, metadata.size(), offset, ProgressUnit.BYTES)) {
                receive(repo, file, metadata, channel, incomplete, sha256, bar);
            }
            channel.force(true);
            long written = channel.size();
            if (written != metadata.size()) {
                channel.close();
                HubCache.deleteQuietly(incomplete);
                throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the download of " + what + " ended with "
                        + written + " bytes in " + incomplete + " instead of " + metadata.size()
                        + ": another program (Python's huggingface_hub, whose locks ours do not see) wrote it at the "
                        + "same time; the file was deleted, run again");
            }
        } catch (IOException e) {
            throw writeFailed(what, incomplete, e, metadata.size());
        }
        if (sha256 != null) {
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(metadata.etag())) {
                HubCache.deleteQuietly(incomplete);
                throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_MODEL, "the download of " + what
                        + " is corrupt: its sha256 is " + actual + " but the Hub's ETag says " + metadata.etag()
                        + "; the bad copy was deleted, run again to download it afresh");
            }
        }
        try {
            HubCache.moveAtomically(incomplete, blob);
        } catch (IOException e) {
            throw HubCache.cannotWrite(blob, e);
        }
    }

    /** Receives the rest of the file into {@code channel} (positioned at its end), resuming after cuts. */
    private void receive(RepoId repo, String file, FileMetadata metadata, FileChannel channel, Path incomplete,
                         MessageDigest sha256, ProgressBar bar) throws IOException {
        long size = metadata.size();
        long offset = channel.position();
        int retriesLeft = MAX_RETRIES;
        String lastProblem = "";
        byte[] buffer = new byte[BUFFER_SIZE];
        while (offset < size) {
            try (Transfer transfer = client.open(metadata.location(), offset, repo, file);
                 StallGuard guard = new StallGuard(transfer.body(), downloadTimeout)) {
                if (transfer.start() != offset) {
                    bar.advance(-offset);
                    channel.truncate(0);
                    channel.position(0);
                    offset = 0;
                    if (sha256 != null) {
                        sha256.reset();
                    }
                }
                InputStream in = transfer.body();
                int n;
                try {
                    while ((n = in.read(buffer)) > 0) {
                        guard.touch();
                        if (offset + n > size) {
                            throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the server sent more than the "
                                    + size + " bytes it announced for " + repo + " " + file + ": try again later");
                        }
                        try {
                            writeFully(channel, ByteBuffer.wrap(buffer, 0, n));
                        } catch (IOException e) {
                            throw writeFailed(repo + " " + file, incomplete, e, size - offset);
                        }
                        if (sha256 != null) {
                            sha256.update(buffer, 0, n);
                        }
                        offset += n;
                        bar.advance(n);
                        retriesLeft = MAX_RETRIES;
                    }
                } catch (IOException e) {
                    throw new HubClient.TransientException(guard.stalled()
                            ? "nothing received for " + downloadTimeout.toMillis() / 1000.0 + " s" : e.toString());
                }
                if (offset < size) {
                    throw new HubClient.TransientException("the connection closed early");
                }
            } catch (HubClient.TransientException e) {
                lastProblem = e.getMessage();
                if (--retriesLeft < 0) {
                    break;
                }
                progress.note("Download of " + repo + " " + file + " cut at " + ProgressUnit.BYTES.amount(offset)
                        + " (" + lastProblem + "); resuming");
                pause();
            }
        }
        if (offset < size) {
            throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the download of " + repo + " " + file
                    + " was interrupted at " + ProgressUnit.BYTES.amount(offset) + " of "
                    + ProgressUnit.BYTES.amount(size) + " (" + lastProblem + ") after " + MAX_RETRIES
                    + " retries: run again to resume from there");
        }
    }

    /** Writes to the cache; a failure here (disk full) is not the network's and is not retried. */
    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static Gpt2Exception writeFailed(String what, Path file, IOException e, long remaining) {
        return new Gpt2Exception(Gpt2Exception.Kind.IO, "cannot write " + what + " to " + file + " ("
                + e.getMessage() + "; " + ProgressUnit.BYTES.amount(usableSpace(file)) + " free there, "
                + ProgressUnit.BYTES.amount(remaining) + " to come): free some space or set HF_HUB_CACHE to a folder "
                + "on a disk with room", e);
    }

    private void warnIfShortOfSpace(Path file, long needed) {
        long free = usableSpace(file);
        if (free >= 0 && free < needed) {
            progress.note("Warning: " + file + " needs " + ProgressUnit.BYTES.amount(needed) + " more but only "
                    + ProgressUnit.BYTES.amount(free) + " are free there");
        }
    }

    private static long usableSpace(Path file) {
        try {
            return Files.getFileStore(file.getParent()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void hashPrefix(FileChannel channel, long length, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("the partial download shrank while it was read");
            }
            digest.update(buffer.flip());
            position += n;
        }
    }

    private void pause() {
        try {
            Thread.sleep(retryDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gpt2Exception(Gpt2Exception.Kind.IO, "interrupted while waiting to resume a download", e);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Cuts a transfer that receives nothing for {@code timeout}: closing the body makes a blocked read fail, so the
     * transfer is resumed instead of hanging ({@link java.net.http.HttpClient} has no read timeout of its own).
     */
    private static final class StallGuard implements AutoCloseable {
        private final InputStream body;
        private final long timeoutNanos;
        private final Thread watcher;
        private volatile long lastNanos = System.nanoTime();
        private volatile boolean stalled;

        StallGuard(InputStream body, Duration timeout) {
            this.body = body;
            this.timeoutNanos = timeout.toNanos();
            this.watcher = Thread.ofVirtual().name("gpt2-hub-stall-guard").start(this::watch);
        }

        void touch() {
            lastNanos = System.nanoTime();
        }

        boolean stalled() {
            return stalled;
        }

        private void watch() {
            try {
                while (true) {
                    long idle = System.nanoTime() - lastNanos;
                    if (idle >= timeoutNanos) {
                        stalled = true;
                        body.close();
                        return;
                    }
                    Thread.sleep(Duration.ofNanos(Math.max(timeoutNanos - idle, 1_000_000)));
                }
            } catch (InterruptedException | IOException e) {
                // the transfer ended, or closing failed because it is closed already
            }
        }

        @Override
        public void close() {
            watcher.interrupt();
        }
    }
}
