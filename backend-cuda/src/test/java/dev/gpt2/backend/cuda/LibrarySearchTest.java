package dev.gpt2.backend.cuda;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibrarySearchTest {
    @TempDir
    Path root;
    Path home;
    Path pythonSite;
    final AtomicInteger pythonAsked = new AtomicInteger();

    @BeforeEach
    void fakeMachine() throws IOException {
        touch("usr/local/cuda-12.4/lib64/libcublas.so.12");
        touch("usr/local/cuda-12.4/lib64/libcublasLt.so.12");
        touch("usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13");
        touch("usr/local/cuda-13.0/lib64/stubs/libcuda.so.1");
        touch("usr/lib/x86_64-linux-gnu/libcuda.so.1");
        touch("home/user/.venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12");
        touch("elsewhere/site-packages/nvidia/cu13/lib/libnvrtc.so.13");
        touch("elsewhere/site-packages/nvidia/cu13/lib/libcufft.so.13");
        home = root.resolve("home/user");
        pythonSite = root.resolve("elsewhere/site-packages");
    }

    private void touch(String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not really a library");
    }

    private LibrarySearch search(String property, Map<String, String> env) {
        return new LibrarySearch(new LibrarySearch.Environment(property, env, root, home, () -> {
            pythonAsked.incrementAndGet();
            return List.of(pythonSite);
        }));
    }

    private Path found(LibrarySearch search, String... sonames) {
        return search.find(List.of(sonames)).orElseThrow().file();
    }

    @Test
    void driverComesFromTheSystemFolderNeverFromToolkitStubs() {
        assertEquals(root.resolve("usr/lib/x86_64-linux-gnu/libcuda.so.1"),
                found(search(null, Map.of()), "libcuda.so.1"));
    }

    @Test
    void newerToolkitsAreSearchedFirstIncludingTheirTargetsFolders() {
        LibrarySearch search = search(null, Map.of());
        assertEquals(root.resolve("usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13"),
                found(search, "libcublas.so.13", "libcublas.so.12"));
        assertEquals(root.resolve("usr/local/cuda-12.4/lib64/libcublas.so.12"), found(search, "libcublas.so.12"));
        assertEquals(13, search.find(List.of("libcublas.so.13")).orElseThrow().major());
    }

    @Test
    void thePropertyComesBeforeLdLibraryPathWhichComesBeforeToolkits() throws IOException {
        touch("mine/libcublas.so.12");
        touch("ld/libcublas.so.12");
        String ld = root.resolve("ld").toString();
        assertEquals(root.resolve("mine/libcublas.so.12"), found(search(root.resolve("mine").toString(),
                Map.of("LD_LIBRARY_PATH", ld)), "libcublas.so.13", "libcublas.so.12"));
        assertEquals(root.resolve("ld/libcublas.so.12"), found(search(null, Map.of("LD_LIBRARY_PATH", ld)),
                "libcublas.so.13", "libcublas.so.12"));
    }

    @Test
    void thePropertyMayNameAToolkitRootOrAPipSitePackagesFolder() {
        assertEquals(root.resolve("usr/local/cuda-12.4/lib64/libcublasLt.so.12"),
                found(search(root.resolve("usr/local/cuda-12.4").toString(), Map.of()), "libcublasLt.so.12"));
        assertEquals(pythonSite.resolve("nvidia/cu13/lib/libcufft.so.13"),
                found(search(pythonSite.toString(), Map.of()), "libcufft.so.13"));
    }

    @Test
    void pipPackagesInTheUsualVirtualEnvironmentsAreFoundWithoutAskingPython() {
        LibrarySearch search = search(null, Map.of());
        assertEquals(home.resolve(".venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"),
                found(search, "libnvrtc.so.13", "libnvrtc.so.12"));
        assertEquals(0, pythonAsked.get());
    }

    @Test
    void pythonIsAskedOnlyWhenTheUsualPlacesHaveNothing() {
        LibrarySearch search = search(null, Map.of());
        assertEquals(pythonSite.resolve("nvidia/cu13/lib/libcufft.so.13"), found(search, "libcufft.so.13"));
        assertEquals(1, pythonAsked.get());
    }

    @Test
    void condaAndVirtualEnvPrefixesAreSearched() throws IOException {
        touch("conda/lib/libnvrtc.so.13");
        touch("venv2/lib/python3.12/site-packages/nvidia/cusparse/lib/libcusparse.so.13");
        LibrarySearch search = search(null, Map.of("CONDA_PREFIX", root.resolve("conda").toString(),
                "VIRTUAL_ENV", root.resolve("venv2").toString()));
        assertEquals(root.resolve("conda/lib/libnvrtc.so.13"), found(search, "libnvrtc.so.13"));
        assertEquals(root.resolve("venv2/lib/python3.12/site-packages/nvidia/cusparse/lib/libcusparse.so.13"),
                found(search, "libcusparse.so.13"));
        assertEquals(0, pythonAsked.get());
    }

    @Test
    void aMissingLibraryIsReportedWithEveryPlaceSearched() {
        LibrarySearch search = search(null, Map.of());
        assertTrue(search.find(List.of("libcudnn.so.9")).isEmpty());
        String places = search.describePlaces();
        assertTrue(places.startsWith("gpt2.cuda.path (unset), LD_LIBRARY_PATH (unset), "), places);
        assertTrue(places.contains(root.resolve("usr/local/cuda-13.0/targets/x86_64-linux/lib").toString()), places);
        assertTrue(places.contains(root.resolve("usr/lib/x86_64-linux-gnu").toString()), places);
        assertTrue(places.contains(pythonSite.resolve("nvidia/cu13/lib").toString()), places);
        assertFalse(places.contains("stubs"), places);
        assertFalse(places.contains("\n"));
    }
}
