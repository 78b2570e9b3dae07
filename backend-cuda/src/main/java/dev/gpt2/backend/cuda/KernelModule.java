package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels of {@link KernelSource}, compiled for the device and loaded into its context: from the disk cache when
 * they were compiled before, else by NVRTC (for the device's real architecture when NVRTC knows it, else as PTX for
 * the newest virtual architecture it knows, which the driver compiles on load).
 */
final class KernelModule implements AutoCloseable {
    /** Options for every compilation; part of the cache key. */
    static final List<String> OPTIONS = List.of("-std=c++17");

    private final CudaDriver driver;
    private final MemorySegment module;
    private final Map<Kernel, MemorySegment> functions = new EnumMap<>(Kernel.class);
    private final String image;
    private final int maxDynamicShared;

    private KernelModule(CudaDriver driver, MemorySegment module, String image, int maxDynamicShared) {
        this.driver = driver;
        this.module = module;
        this.image = image;
        this.maxDynamicShared = maxDynamicShared;
        for (Kernel k : Kernel.values()) {
            functions.put(k, driver.moduleFunction(module, k.symbol()));
        }
        driver.setFunctionAttribute(functions.get(Kernel.ATTN_PREFILL),
                CudaDriver.FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, maxDynamicShared);
    }

    /**
     * Compiles (or finds in {@code cache}) and loads the kernels for a device of compute capability
     * {@code major.minor}. Needs the context current.
     */
    static KernelModule load(CudaDriver driver, Nvrtc nvrtc, KernelCache cache, int major, int minor,
                             int sharedOptIn) {
        String target = target(nvrtc.supportedArchitectures(), major * 10 + minor);
        String name = KernelCache.fileName(KernelSource.text(), OPTIONS, nvrtc.version(), target);
        byte[] bytes = cache.getOrCompile(name, () -> compile(nvrtc, target));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(bytes.length + 1L);  // zero-filled: PTX ends with a NUL
            MemorySegment.copy(bytes, 0, image, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment module = driver.moduleLoadData(image);
            return new KernelModule(driver, module, cache.dir().resolve(name).toString(), sharedOptIn);
        }
    }

    /**
     * What to compile for: {@code sm_XY} when NVRTC supports the device's architecture {@code XY}, else
     * {@code compute_XY} of the newest architecture below it.
     *
     * @throws Gpt2Exception of kind {@code BACKEND_UNAVAILABLE} when the device is older than anything NVRTC supports
     */
    static String target(List<Integer> supported, int device) {
        if (supported.contains(device)) {
            return "sm_" + device;
        }
        int best = -1;
        for (int arch : supported) {
            if (arch <= device) {
                best = Math.max(best, arch);
            }
        }
        if (best < 0) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, "the GPU is sm_" + device
                    + " but this NVRTC compiles only for " + supported.stream().map(a -> "sm_" + a).toList()
                    + ": use an NVRTC as old as the GPU (CUDA 12 for sm_50 to sm_70)");
        }
        return "compute_" + best;
    }

    private static byte[] compile(Nvrtc nvrtc, String target) {
        List<String> options = new java.util.ArrayList<>(OPTIONS);
        options.add("--gpu-architecture=" + target);
        return nvrtc.compile(KernelSource.text(), KernelSource.PROGRAM_NAME, options, target.startsWith("sm_"));
    }

    MemorySegment function(Kernel kernel) {
        return functions.get(kernel);
    }

    /** The most dynamic shared memory {@link Kernel#ATTN_PREFILL} may use on this device. */
    int maxDynamicShared() {
        return maxDynamicShared;
    }

    /** Where the compiled image is cached. */
    String image() {
        return image;
    }

    @Override
    public void close() {
        driver.moduleUnload(module);
    }
}
