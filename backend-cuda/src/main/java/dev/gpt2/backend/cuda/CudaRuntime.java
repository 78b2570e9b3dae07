package dev.gpt2.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CUDA driver, device 0, NVRTC and cuBLAS of this machine, found and loaded once (see {@link #system()}), or
 * the reason they cannot be: no driver, no device, a library not found. Device 0 is the first device CUDA sees;
 * {@code CUDA_VISIBLE_DEVICES} picks another.
 *
 * @param driver        the driver API
 * @param nvrtc         the runtime compiler
 * @param cublas        cuBLAS
 * @param device        device 0
 * @param driverVersion the driver's CUDA version (13000 for 13.0)
 */
record CudaRuntime(CudaDriver driver, Nvrtc nvrtc, Cublas cublas, Device device, int driverVersion) {

    /** The oldest CUDA major version this backend's libraries may have. */
    static final int OLDEST_MAJOR = 12;
    /** The newest CUDA major version it looks for. */
    static final int NEWEST_MAJOR = 13;

    /**
     * One device's properties.
     *
     * @param handle the driver's {@code CUdevice}
     */
    record Device(int handle, String name, int major, int minor, int multiprocessors, long totalMemory,
                  int sharedOptIn, int clockKhz, int memoryClockKhz, int busWidthBits) {

        /** The memory bandwidth the specification promises (bytes per second), or 0 when the driver does not say. */
        double specBandwidth() {
            return 2.0 * memoryClockKhz * 1000.0 * busWidthBits / 8;
        }

        /** "sm_90". */
        String arch() {
            return "sm_" + major + minor;
        }

        /** "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)". */
        String describe() {
            return String.format(Locale.ROOT, "%s (%s, %d SMs, %.1f GiB)", name, arch(), multiprocessors,
                    totalMemory / (1024.0 * 1024 * 1024));
        }
    }

    /** What a search found: a runtime, or why there is none. */
    sealed interface Discovery permits Ready, Missing {
    }

    record Ready(CudaRuntime runtime) implements Discovery {
    }

    /** @param reason one line naming what is missing and where it was looked for */
    record Missing(String reason) implements Discovery {
    }

    /** This machine's, looked for once per process. */
    static Discovery system() {
        return Holder.DISCOVERY;
    }

    private static final class Holder {
        static final Discovery DISCOVERY = discover(LibrarySearch.Environment.system(), true);
    }

    /**
     * Looks for the driver, a device and the libraries; never throws.
     *
     * @param systemLoader whether to ask the system loader ({@code ld.so.cache}) for a library the search did not find
     */
    static Discovery discover(LibrarySearch.Environment environment, boolean systemLoader) {
        LibrarySearch search = new LibrarySearch(environment);
        String fix = "; or set -D" + LibrarySearch.PROPERTY + "=DIR to the folder that holds it";
        try {
            Optional<NativeLibrary> driverLibrary = load(search, List.of("libcuda.so.1"), systemLoader);
            if (driverLibrary.isEmpty()) {
                return new Missing("no CUDA driver: libcuda.so.1 not found in " + search.describePlaces()
                        + (systemLoader ? " nor by the system loader" : "") + "; install the NVIDIA driver" + fix);
            }
            CudaDriver driver = new CudaDriver(driverLibrary.get());
            int init = driver.init();
            if (init == CudaDriver.CUDA_ERROR_NO_DEVICE) {
                return new Missing("no CUDA device: cuInit returned CUDA_ERROR_NO_DEVICE (driver "
                        + driver.location() + "); check nvidia-smi and CUDA_VISIBLE_DEVICES");
            }
            if (init == CudaDriver.CUDA_ERROR_STUB_LIBRARY) {
                return new Missing("no CUDA driver: " + driver.location()
                        + " is the CUDA toolkit's stub library, not a driver; install the NVIDIA driver");
            }
            if (init != CudaDriver.CUDA_SUCCESS) {
                return new Missing("the CUDA driver " + driver.location() + " failed to start: cuInit returned "
                        + driver.errorName(init) + "; check nvidia-smi");
            }
            if (driver.deviceCount() == 0) {
                return new Missing("no CUDA device: the driver " + driver.location()
                        + " sees none; check nvidia-smi and CUDA_VISIBLE_DEVICES");
            }
            int version = driver.driverVersion();
            int driverMajor = version / 1000;
            if (driverMajor < OLDEST_MAJOR) {
                return new Missing("the CUDA driver " + driver.location() + " supports CUDA " + versionText(version)
                        + "; this backend needs CUDA " + OLDEST_MAJOR + " or newer: update the NVIDIA driver");
            }
            Device device = device(driver);
            List<Integer> majors = new ArrayList<>();
            for (int m = Math.min(driverMajor, NEWEST_MAJOR); m >= OLDEST_MAJOR; m--) {
                majors.add(m);
            }

            List<String> nvrtcNames = sonames("libnvrtc", majors);
            Optional<LibrarySearch.Found> nvrtcFile = search.find(nvrtcNames);
            nvrtcFile.ifPresent(f -> preloadBuiltins(f.file().getParent()));
            Optional<NativeLibrary> nvrtcLibrary = nvrtcFile.map(f -> NativeLibrary.load(f.file()))
                    .or(() -> systemLoader ? loadFirst(nvrtcNames) : Optional.empty());
            if (nvrtcLibrary.isEmpty()) {
                return new Missing("NVRTC not found: no " + String.join(" or ", nvrtcNames) + " in "
                        + search.describePlaces() + (systemLoader ? " nor by the system loader" : "")
                        + "; install NVRTC (the CUDA toolkit, or pip install nvidia-cuda-nvrtc-cu" + majors.getFirst()
                        + ")" + fix);
            }
            Nvrtc nvrtc = new Nvrtc(nvrtcLibrary.get());
            KernelModule.target(nvrtc.supportedArchitectures(), device.major() * 10 + device.minor());

            List<String> cublasNames = sonames("libcublas", majors);
            Optional<LibrarySearch.Found> cublasFile = search.find(cublasNames);
            Optional<NativeLibrary> cublasLibrary;
            if (cublasFile.isPresent()) {
                preloadCublasLt(search, cublasFile.get());
                cublasLibrary = Optional.of(NativeLibrary.load(cublasFile.get().file()));
            } else {
                cublasLibrary = systemLoader ? loadFirst(cublasNames) : Optional.empty();
            }
            if (cublasLibrary.isEmpty()) {
                return new Missing("cuBLAS not found: no " + String.join(" or ", cublasNames) + " in "
                        + search.describePlaces() + (systemLoader ? " nor by the system loader" : "")
                        + "; install cuBLAS (the CUDA toolkit, or pip install nvidia-cublas-cu" + majors.getFirst()
                        + ")" + fix);
            }
            return new Ready(new CudaRuntime(driver, nvrtc, new Cublas(cublasLibrary.get()), device, version));
        } catch (RuntimeException | LinkageError e) {
            return new Missing("CUDA could not be set up: " + e.getMessage());
        }
    }

    /** "13.0". */
    static String versionText(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }

    /** {@code base.so.13}, {@code base.so.12}: the sonames for these major versions, newest first. */
    static List<String> sonames(String base, List<Integer> majors) {
        return majors.stream().map(m -> base + ".so." + m).toList();
    }

    private static Optional<NativeLibrary> load(LibrarySearch search, List<String> sonames, boolean systemLoader) {
        Optional<LibrarySearch.Found> found = search.find(sonames);
        if (found.isPresent()) {
            return Optional.of(NativeLibrary.load(found.get().file()));
        }
        return systemLoader ? loadFirst(sonames) : Optional.empty();
    }

    private static Optional<NativeLibrary> loadFirst(List<String> sonames) {
        for (String soname : sonames) {
            Optional<NativeLibrary> lib = NativeLibrary.loadBySoname(soname);
            if (lib.isPresent()) {
                return lib;
            }
        }
        return Optional.empty();
    }

    /** cuBLAS needs cuBLASLt of the same version: load it from cuBLAS's folder (or anywhere) first. */
    private static void preloadCublasLt(LibrarySearch search, LibrarySearch.Found cublas) {
        String lt = "libcublasLt.so." + cublas.major();
        Optional<LibrarySearch.Found> beside = LibrarySearch.findInFolder(cublas.file().getParent(), lt);
        beside.or(() -> search.find(List.of(lt))).ifPresent(f -> NativeLibrary.load(f.file()));
    }

    /** NVRTC opens its builtins library by soname at run time: load it from NVRTC's folder so that it is found. */
    private static void preloadBuiltins(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().startsWith("libnvrtc-builtins.so."))
                    .sorted()
                    .findFirst()
                    .ifPresent(NativeLibrary::load);
        } catch (java.io.IOException e) {
            // NVRTC may still find its builtins through the loader's own paths
        }
    }

    private static Device device(CudaDriver driver) {
        int handle = driver.device(0);
        return new Device(handle, driver.deviceName(handle),
                driver.attribute(handle, CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR),
                driver.attribute(handle, CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR),
                driver.attribute(handle, CudaDriver.ATTR_MULTIPROCESSOR_COUNT),
                driver.totalMemory(handle),
                driver.attribute(handle, CudaDriver.ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                driver.attributeOrZero(handle, CudaDriver.ATTR_CLOCK_RATE),
                driver.attributeOrZero(handle, CudaDriver.ATTR_MEMORY_CLOCK_RATE),
                driver.attributeOrZero(handle, CudaDriver.ATTR_GLOBAL_MEMORY_BUS_WIDTH));
    }
}
