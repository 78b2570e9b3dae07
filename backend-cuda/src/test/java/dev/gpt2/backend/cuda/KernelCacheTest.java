package dev.gpt2.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelCacheTest {
    @TempDir
    Path dir;

    @Test
    void theNameChangesWithSourceOptionsCompilerAndTargetAndOnlyWithThem() {
        String base = KernelCache.fileName("src", List.of("-std=c++17"), "13.0", "sm_90");
        assertTrue(base.matches("[0-9a-f]{20}-sm_90\\.cubin"), base);
        assertEquals(base, KernelCache.fileName("src", List.of("-std=c++17"), "13.0", "sm_90"));
        assertNotEquals(base, KernelCache.fileName("src2", List.of("-std=c++17"), "13.0", "sm_90"));
        assertNotEquals(base, KernelCache.fileName("src", List.of("-std=c++20"), "13.0", "sm_90"));
        assertNotEquals(base, KernelCache.fileName("src", List.of("-std=c++17"), "12.8", "sm_90"));
        assertNotEquals(base, KernelCache.fileName("src", List.of("-std=c++1", "7"), "13.0", "sm_90"));
        assertTrue(KernelCache.fileName("src", List.of(), "13.0", "compute_90").endsWith("-compute_90.ptx"));
        String real = KernelCache.fileName(KernelSource.text(), KernelModule.OPTIONS, "13.0", "sm_90");
        assertNotEquals(real, KernelCache.fileName(KernelSource.text(), KernelModule.OPTIONS, "13.0", "sm_80"));
    }

    @Test
    void compilesOnceThenReadsTheFile() {
        KernelCache cache = new KernelCache(dir.resolve("a/b"));
        AtomicInteger compiles = new AtomicInteger();
        byte[] image = {1, 2, 3};
        assertArrayEquals(image, cache.getOrCompile("x-sm_90.cubin", () -> {
            compiles.incrementAndGet();
            return image;
        }));
        assertArrayEquals(image, new KernelCache(dir.resolve("a/b")).getOrCompile("x-sm_90.cubin", () -> {
            compiles.incrementAndGet();
            return new byte[] {9};
        }));
        assertEquals(1, compiles.get());
        try (var files = Files.list(dir.resolve("a/b"))) {
            assertEquals(List.of("x-sm_90.cubin"), files.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anUnwritableCacheOnlyCostsACompilation() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        KernelCache cache = new KernelCache(file);
        AtomicInteger compiles = new AtomicInteger();
        cache.getOrCompile("y.cubin", () -> new byte[] {(byte) compiles.incrementAndGet()});
        cache.getOrCompile("y.cubin", () -> new byte[] {(byte) compiles.incrementAndGet()});
        assertEquals(2, compiles.get());
    }

    @Test
    void theFolderIsThePropertyElseXdgElseHome() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/p"), KernelCache.defaultDir("/p", Map.of("XDG_CACHE_HOME", "/x"), home));
        assertEquals(Path.of("/x/gpt2-java/cuda"), KernelCache.defaultDir(null, Map.of("XDG_CACHE_HOME", "/x"), home));
        assertEquals(Path.of("/home/u/.cache/gpt2-java/cuda"), KernelCache.defaultDir(" ", Map.of(), home));
    }
}
