package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The cuda backend on a CPU emulation of CUDA: this backend's kernel sources compiled as C++ together with
 * {@code emulator/emulator.h} (threads as fibers) and {@code emulator/fake_cuda.cpp} (driver API, cuBLAS and NVRTC
 * on host memory) into one shared library, found through {@code gpt2.cuda.path} as libcuda.so.1, libcublas.so.13 and
 * libnvrtc.so.13. The real {@link CudaBackend}, its FFM bindings, its lanes and CUDA graph logic and every kernel then
 * run where there is no GPU. Built once into {@code target/cuda-emulator/<hash>}; unavailable (tests skip) without
 * g++.
 */
final class Emulator {
    private static CudaRuntime.Discovery discovery;

    private Emulator() {
    }

    /** A provider named "cuda-emulated" whose backend runs on the emulator. */
    static BackendProvider provider() {
        return new BackendProvider() {
            @Override
            public String name() {
                return "cuda-emulated";
            }

            @Override
            public int priority() {
                return 0;
            }

            @Override
            public Probe probe() {
                return CudaProvider.probe(discovery());
            }

            @Override
            public Backend open(BackendConfig config) {
                CudaRuntime.Ready ready = (CudaRuntime.Ready) discovery();
                try {
                    return new CudaBackend(ready.runtime(), new KernelCache(Files.createTempDirectory("emu-kernels")));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    static synchronized CudaRuntime.Discovery discovery() {
        if (discovery == null) {
            discovery = build();
        }
        return discovery;
    }

    private static CudaRuntime.Discovery build() {
        try {
            String unit = unit();
            String header = resource("emulator.h");
            String fakes = resource("fake_cuda.cpp");
            String hash = KernelCache.fileName(unit, List.of(header, fakes), "g++", "emu").substring(0, 20);
            Path dir = Path.of("target", "cuda-emulator", hash).toAbsolutePath();
            Path library = dir.resolve("libfakecuda.so");
            if (!Files.exists(library)) {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("emulator.h"), header);
                Files.writeString(dir.resolve("fake_cuda.cpp"), fakes);
                Path source = Files.writeString(dir.resolve("unit.cpp"), unit);
                Path tmp = dir.resolve("libfakecuda.so.tmp");
                Process p;
                try {
                    p = new ProcessBuilder("g++", "-std=c++20", "-O1", "-g0", "-w", "-U_FORTIFY_SOURCE", "-shared",
                            "-fPIC", "-o", tmp.toString(), source.toString()).redirectErrorStream(true).start();
                } catch (IOException e) {
                    return new CudaRuntime.Missing("no C++ compiler (g++) to build the CUDA emulator: "
                            + e.getMessage());
                }
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("building the CUDA emulator failed:\n" + log);
                }
                Files.move(tmp, library);
            }
            for (String soname : List.of("libcuda.so.1", "libcublas.so.13", "libnvrtc.so.13")) {
                Path link = dir.resolve(soname);
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, library.getFileName());
                }
            }
            Path empty = Files.createDirectories(dir.resolve("empty-root"));
            CudaRuntime.Discovery found = CudaRuntime.discover(new LibrarySearch.Environment(dir.toString(),
                    Map.of(), empty, empty, List::of), false);
            if (found instanceof CudaRuntime.Missing m) {
                throw new IllegalStateException("the CUDA emulator in " + dir + " was not taken: " + m.reason());
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One C++ translation unit: the emulator, the kernels, their names, the fake libraries. */
    private static String unit() {
        String dynamic = "extern __shared__ float smem[];";
        String kernels = KernelSource.text();
        if (!kernels.contains(dynamic)) {
            throw new IllegalStateException("the kernels no longer declare `" + dynamic + "`: update the emulator");
        }
        kernels = kernels.replace(dynamic, "float* smem = (float*) emu::dynamic_shared.data();");
        String names = Stream.of(Kernel.values()).map(k -> "X(" + k.symbol() + ")").collect(Collectors.joining(" "));
        return "#include \"emulator.h\"\n" + kernels + "\n#define EMU_KERNELS(X) " + names
                + "\n#include \"fake_cuda.cpp\"\n";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Emulator.class.getResourceAsStream("emulator/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource emulator/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
