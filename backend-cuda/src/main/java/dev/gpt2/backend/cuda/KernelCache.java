package dev.gpt2.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Compiled kernels on disk, so that NVRTC runs once per machine rather than once per process:
 * {@code <cache>/<hash>-sm_90.cubin} (or {@code -compute_90.ptx} where NVRTC can only target a virtual architecture),
 * the hash covering the source, the compiler options and the NVRTC version. The folder is the {@value #PROPERTY}
 * property, else {@code $XDG_CACHE_HOME/gpt2-java/cuda}, else {@code ~/.cache/gpt2-java/cuda}. A cache that cannot
 * be written only costs a compilation per process.
 */
final class KernelCache {
    /** System property naming the cache folder. */
    static final String PROPERTY = "gpt2.cuda.cache";

    private static final System.Logger LOG = System.getLogger(KernelCache.class.getName());

    private final Path dir;

    KernelCache(Path dir) {
        this.dir = dir;
    }

    /** The folder this process uses, as the class documentation says. */
    static Path defaultDir(String property, Map<String, String> env, Path home) {
        if (property != null && !property.isBlank()) {
            return Path.of(property.trim());
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache");
        return base.resolve("gpt2-java").resolve("cuda");
    }

    Path dir() {
        return dir;
    }

    /**
     * The file name of a compiled program: a hash of everything that changes the output, and the target.
     *
     * @param target {@code sm_90} (a cubin) or {@code compute_90} (PTX)
     */
    static String fileName(String source, List<String> options, String compilerVersion, String target) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        sha.update(source.getBytes(StandardCharsets.UTF_8));
        for (String part : options) {
            sha.update((byte) 0);
            sha.update(part.getBytes(StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
        sha.update(compilerVersion.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(target.getBytes(StandardCharsets.UTF_8));
        String hash = HexFormat.of().formatHex(sha.digest(), 0, 10);
        return hash + "-" + target + (target.startsWith("sm_") ? ".cubin" : ".ptx");
    }

    /** The cached image named {@code name}, or what {@code compile} makes (then stored for next time). */
    byte[] getOrCompile(String name, Supplier<byte[]> compile) {
        Optional<byte[]> cached = load(name);
        if (cached.isPresent()) {
            return cached.get();
        }
        byte[] image = compile.get();
        store(name, image);
        return image;
    }

    Optional<byte[]> load(String name) {
        Path file = dir.resolve(name);
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length == 0 ? Optional.empty() : Optional.of(bytes);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes atomically (a temporary file moved into place), so that a concurrent reader never sees half a file. */
    void store(String name, byte[] image) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            try {
                Files.write(tmp, image);
                Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot cache the compiled CUDA kernels in " + dir + " (" + e
                    + "); they will be compiled again next time: set -D" + PROPERTY + "=DIR to a writable folder");
        }
    }
}
