package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The Hugging Face cache layout, exactly as huggingface_hub writes and reads it:
 * <pre>
 * &lt;cache&gt;/models--org--name/
 *     refs/&lt;revision&gt;                    the commit a branch or tag pointed to (40 hex characters, no newline)
 *     blobs/&lt;etag&gt;                       file contents, named by their ETag (git SHA-1, or SHA-256 for LFS files)
 *     blobs/&lt;etag&gt;.incomplete            a download in progress (resumed from its length)
 *     snapshots/&lt;commit&gt;/&lt;file&gt;          relative symlinks to ../../blobs/&lt;etag&gt;
 *     .no_exist/&lt;commit&gt;/&lt;file&gt;          empty markers: the repo has no such file at that commit
 * &lt;cache&gt;/.locks/models--org--name/&lt;etag&gt;.lock   held while a blob is downloaded
 * </pre>
 * A blob appears only complete and checked (renamed from {@code .incomplete}); a snapshot entry appears only
 * after its blob. Each step is an atomic rename, so a killed process never leaves a file that looks complete.
 */
final class HubCache {
    private final Path root;

    HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path repoFolder(String folderName) {
        return root.resolve(folderName);
    }

    Path snapshot(Path repoFolder, String commit) {
        return repoFolder.resolve("snapshots").resolve(commit);
    }

    Path blob(Path repoFolder, String etag) {
        return repoFolder.resolve("blobs").resolve(etag);
    }

    Path lockFile(Path repoFolder, String etag) {
        return root.resolve(".locks").resolve(repoFolder.getFileName().toString()).resolve(etag + ".lock");
    }

    /** The commit {@code refs/<revision>} names, if the cache has that ref and it holds a commit hash. */
    Optional<String> readRef(Path repoFolder, String revision) {
        Path ref = repoFolder.resolve("refs").resolve(revision);
        try {
            if (Files.isRegularFile(ref)) {
                String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
                return RepoPaths.isCommitHash(commit) ? Optional.of(commit) : Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Records that {@code revision} points to {@code commit}; nothing when it already does or is the commit. */
    void writeRef(Path repoFolder, String revision, String commit) {
        if (revision.equals(commit) || readRef(repoFolder, revision).filter(commit::equals).isPresent()) {
            return;
        }
        Path ref = repoFolder.resolve("refs").resolve(revision);
        try {
            Files.createDirectories(ref.getParent());
            Path temp = ref.resolveSibling(ref.getFileName() + ".tmp-" + UUID.randomUUID());
            Files.writeString(temp, commit, StandardCharsets.UTF_8);
            moveAtomically(temp, ref);
        } catch (IOException e) {
            throw cannotWrite(ref, e);
        }
    }

    /** Whether the repo is known to lack {@code file} at {@code commit}. */
    boolean isMarkedMissing(Path repoFolder, String commit, String file) {
        return Files.isRegularFile(noExistMarker(repoFolder, commit, file));
    }

    /** Records that the repo lacks {@code file} at {@code commit}; a marker that cannot be written is skipped. */
    void markMissing(Path repoFolder, String commit, String file) {
        Path marker = noExistMarker(repoFolder, commit, file);
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (IOException e) {
            System.getLogger(HubCache.class.getName()).log(System.Logger.Level.DEBUG,
                    "could not record that " + file + " is missing: " + e);
        }
    }

    /**
     * Makes {@code pointer} a relative symlink to {@code blob} ({@code ../../blobs/<etag>}), replacing whatever is
     * there in one rename. Where symlinks are not allowed (Windows without developer mode) the blob is copied.
     */
    void link(Path pointer, Path blob) {
        Path temp = pointer.resolveSibling(pointer.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(pointer.getParent());
            try {
                Files.createSymbolicLink(temp, pointer.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            moveAtomically(temp, pointer);
        } catch (IOException e) {
            throw cannotWrite(pointer, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.getLogger(HubCache.class.getName()).log(System.Logger.Level.DEBUG, "could not delete " + path);
        }
    }

    /** The one-line error for a cache that cannot be written. */
    static Gpt2Exception cannotWrite(Path path, IOException e) {
        return new Gpt2Exception(Gpt2Exception.Kind.IO, "cannot write " + path + " in the Hugging Face cache ("
                + e + "): make the cache writable or set HF_HUB_CACHE to a writable folder", e);
    }

    private Path noExistMarker(Path repoFolder, String commit, String file) {
        return RepoPaths.inside(repoFolder.resolve(".no_exist").resolve(commit), file, "the Hub");
    }
}
