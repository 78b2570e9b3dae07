package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel sources compile, with no GPU: with nvcc to PTX for sm_80 and sm_90 when nvcc is installed, and with
 * NVRTC through this backend's own bindings when some libnvrtc is installed (any version: the test only needs the
 * compiler). Each skips with the reason when its tool is missing.
 */
class KernelCompileTest {
    @TempDir
    Path dir;

    @Test
    void nvccCompilesEveryKernelForSm80AndSm90() throws Exception {
        Path source = dir.resolve(KernelSource.PROGRAM_NAME);
        Files.writeString(source, KernelSource.text());
        String nvcc = nvcc();
        List<String> archs = List.of("sm_80", "sm_90");
        List<Process> runs = new ArrayList<>();
        for (String arch : archs) {
            runs.add(new ProcessBuilder(nvcc, "-arch=" + arch, "-ptx", "-std=c++17", "-o",
                    dir.resolve(arch + ".ptx").toString(), source.toString()).redirectErrorStream(true).start());
        }
        for (int i = 0; i < archs.size(); i++) {
            Process p = runs.get(i);
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc took over 5 minutes");
            assertEquals(0, p.exitValue(), "nvcc " + archs.get(i) + ":\n" + log);
            String text = Files.readString(dir.resolve(archs.get(i) + ".ptx"));
            for (Kernel k : Kernel.values()) {
                assertTrue(text.contains(".entry " + k.symbol() + "("), "no kernel " + k.symbol() + " in the PTX");
            }
        }
    }

    private static String nvcc() {
        for (String candidate : List.of("/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc", "/usr/bin/nvcc")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        assumeTrue(false, "nvcc is not installed (looked in /usr/local/bin, /usr/local/cuda/bin, /usr/bin)");
        return null;
    }

    @Test
    void nvrtcCompilesEveryKernelToACubinThroughTheFfmBindings() {
        Nvrtc nvrtc = nvrtc();
        List<Integer> archs = nvrtc.supportedArchitectures();
        assertTrue(archs.contains(80), "NVRTC " + nvrtc.version() + " supports " + archs);
        String target = KernelModule.target(archs, 80);
        List<String> options = new ArrayList<>(KernelModule.OPTIONS);
        options.add("--gpu-architecture=" + target);
        byte[] cubin = nvrtc.compile(KernelSource.text(), KernelSource.PROGRAM_NAME, options, true);
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(cubin, 4));
        String symbols = new String(cubin, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (Kernel k : Kernel.values()) {
            assertTrue(symbols.contains(k.symbol()), "no kernel " + k.symbol() + " in the cubin");
        }
    }

    @Test
    void aCompileErrorReportsNvrtcsLogOnOneLine() {
        Nvrtc nvrtc = nvrtc();
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> nvrtc.compile(
                "extern \"C\" __global__ void broken(float* x) { x[0] = undeclared; }", "broken.cu",
                List.of("--gpu-architecture=compute_80"), false));
        assertEquals(Gpt2Exception.Kind.BACKEND_FAILURE, e.kind());
        assertTrue(e.getMessage().contains("could not compile broken.cu"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void ptxForAVirtualArchitectureIsNulTerminatedText() {
        byte[] ptx = nvrtc().compile("extern \"C\" __global__ void k(float* x) { x[0] = 1.0f; }", "k.cu",
                List.of("--gpu-architecture=compute_80"), false);
        assertEquals(0, ptx[ptx.length - 1]);
        assertTrue(new String(ptx, 0, ptx.length - 1).contains(".entry k("));
    }

    @Test
    void theTargetIsTheDevicesArchitectureOrTheNewestVirtualOneBelowIt() {
        assertEquals("sm_90", KernelModule.target(List.of(75, 80, 86, 89, 90), 90));
        assertEquals("compute_90", KernelModule.target(List.of(75, 80, 86, 89, 90), 100));
        assertEquals("compute_86", KernelModule.target(List.of(75, 80, 86, 89, 90), 87));
        Gpt2Exception e = assertThrows(Gpt2Exception.class, () -> KernelModule.target(List.of(75, 80), 70));
        assertEquals(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("the GPU is sm_70 but this NVRTC compiles only for [sm_75, sm_80]"));
    }

    /** Any libnvrtc on this machine: the backend's own search first (CUDA 12 / 13), then older system copies. */
    static Nvrtc nvrtc() {
        LibrarySearch search = new LibrarySearch(LibrarySearch.Environment.system());
        Optional<Path> file = search.find(List.of("libnvrtc.so.13", "libnvrtc.so.12")).map(LibrarySearch.Found::file)
                .or(KernelCompileTest::olderSystemNvrtc);
        assumeTrue(file.isPresent(), "no libnvrtc on this machine (" + search.describePlaces() + ")");
        return new Nvrtc(NativeLibrary.load(file.get()));
    }

    private static Optional<Path> olderSystemNvrtc() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/cuda/lib64")) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                Optional<Path> found = files.filter(p -> p.getFileName().toString().matches("libnvrtc\\.so\\.\\d+(\\.\\d+)?"))
                        .sorted().findFirst();
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                // not there: try the next folder
            }
        }
        return Optional.empty();
    }
}
