package dev.gpt2.backend.cuda;

import dev.gpt2.api.spi.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The probe's reasons, found on a fake machine: an empty file system, and fake {@code libcuda.so.1} builds (compiled
 * with the C compiler when there is one) that report no device, or one device, so that the real FFM bindings to
 * the driver run.
 */
class DiscoveryTest {
    @TempDir
    Path root;

    private CudaRuntime.Discovery discover(String property) {
        return CudaRuntime.discover(new LibrarySearch.Environment(property, Map.of(), root, root.resolve("home"),
                List::of), false);
    }

    private static String reason(CudaRuntime.Discovery d) {
        return assertInstanceOf(CudaRuntime.Missing.class, d).reason();
    }

    @Test
    void withoutADriverTheReasonNamesTheLibraryAndWhereItWasLookedFor() throws IOException {
        Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu"));
        String reason = reason(discover(null));
        assertTrue(reason.startsWith("no CUDA driver: libcuda.so.1 not found in gpt2.cuda.path (unset), "
                + "LD_LIBRARY_PATH (unset), " + root.resolve("usr/lib/x86_64-linux-gnu")), reason);
        assertTrue(reason.endsWith("; install the NVIDIA driver; or set -Dgpt2.cuda.path=DIR to the folder that"
                + " holds it"), reason);
        assertFalse(reason.contains("\n"));
        Probe probe = CudaProvider.probe(discover(null));
        assertFalse(probe.available());
        assertEquals(reason, probe.reason());
    }

    @Test
    void aDriverThatSeesNoDeviceSaysSo() throws Exception {
        Path dir = fakeDriver("nodevice", true);
        String reason = reason(discover(dir.toString()));
        assertEquals("no CUDA device: cuInit returned CUDA_ERROR_NO_DEVICE (driver " + dir.resolve("libcuda.so.1")
                + "); check nvidia-smi and CUDA_VISIBLE_DEVICES", reason);
    }

    @Test
    void withADeviceButNoNvrtcTheReasonNamesTheSonamesLookedFor() throws Exception {
        Path dir = fakeDriver("onedevice", false);
        String reason = reason(discover(dir.toString()));
        assertTrue(reason.startsWith("NVRTC not found: no libnvrtc.so.13 or libnvrtc.so.12 in gpt2.cuda.path ("
                + dir + ")"), reason);
        assertTrue(reason.contains("pip install nvidia-cuda-nvrtc-cu13"), reason);
    }

    /** Builds a fake driver into its own folder; skips the test without a C compiler. */
    private Path fakeDriver(String name, boolean noDevice) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Path source = dir.resolve("fake_cuda.c");
        Files.writeString(source, FAKE_DRIVER);
        List<String> command = new java.util.ArrayList<>(List.of("cc", "-shared", "-fPIC", "-o",
                dir.resolve("libcuda.so.1").toString(), source.toString()));
        if (noDevice) {
            command.add("-DNO_DEVICE");
        }
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build a fake libcuda.so.1: " + e.getMessage());
            throw e;
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), log);
        return dir;
    }

    private static final String FAKE_DRIVER = """
            #include <string.h>
            typedef unsigned long long u64;
            int cuInit(unsigned flags) {
            #ifdef NO_DEVICE
                return 100;
            #else
                return 0;
            #endif
            }
            int cuGetErrorName(int e, const char **s) {
                *s = e == 100 ? "CUDA_ERROR_NO_DEVICE" : "CUDA_ERROR_UNKNOWN";
                return 0;
            }
            int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
            int cuDeviceGetCount(int *n) { *n = 1; return 0; }
            int cuDeviceGet(int *d, int ordinal) { *d = ordinal; return 0; }
            int cuDeviceGetName(char *name, int len, int d) { strncpy(name, "Fake GPU", len); return 0; }
            int cuDeviceGetAttribute(int *v, int attribute, int d) {
                *v = attribute == 75 ? 9 : attribute == 76 ? 0 : attribute == 16 ? 132 : 1;
                return 0;
            }
            int cuDeviceTotalMem_v2(u64 *bytes, int d) { *bytes = 80ULL << 30; return 0; }
            #define UNUSED(f) int f(void) { return 999; }
            UNUSED(cuDevicePrimaryCtxRetain) UNUSED(cuDevicePrimaryCtxRelease_v2) UNUSED(cuCtxSetCurrent)
            UNUSED(cuMemGetInfo_v2) UNUSED(cuMemAlloc_v2) UNUSED(cuMemFree_v2) UNUSED(cuMemHostAlloc)
            UNUSED(cuMemFreeHost) UNUSED(cuMemcpyHtoDAsync_v2) UNUSED(cuMemcpyDtoHAsync_v2)
            UNUSED(cuMemcpyDtoDAsync_v2) UNUSED(cuMemsetD32Async) UNUSED(cuModuleLoadData) UNUSED(cuModuleUnload) UNUSED(cuModuleGetFunction)
            UNUSED(cuFuncSetAttribute) UNUSED(cuLaunchKernel) UNUSED(cuStreamCreate) UNUSED(cuStreamDestroy_v2)
            UNUSED(cuStreamSynchronize) UNUSED(cuEventCreate) UNUSED(cuEventRecord) UNUSED(cuEventSynchronize)
            UNUSED(cuEventElapsedTime) UNUSED(cuEventDestroy_v2) UNUSED(cuStreamBeginCapture_v2)
            UNUSED(cuStreamEndCapture) UNUSED(cuGraphInstantiateWithFlags) UNUSED(cuGraphLaunch)
            UNUSED(cuGraphExecDestroy) UNUSED(cuGraphDestroy)
            """;
}
