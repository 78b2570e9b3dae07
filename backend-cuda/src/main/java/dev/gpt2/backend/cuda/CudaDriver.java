package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Bindings to the CUDA driver API ({@code libcuda.so.1}), C signatures from {@code cuda.h}. Every method returns the
 * raw {@code CUresult} except the helpers that {@link #check} it and return a value; device pointers
 * ({@code CUdeviceptr}) are {@code long}, handles ({@code CUstream}, {@code CUfunction}, ...) are addresses.
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose
final class CudaDriver {
    static final int CUDA_SUCCESS = 0;
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int CUDA_ERROR_NOT_INITIALIZED = 3;
    static final int CUDA_ERROR_STUB_LIBRARY = 34;
    static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    static final int CUDA_ERROR_NO_DEVICE = 100;

    static final int ATTR_CLOCK_RATE = 13;
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_MEMORY_CLOCK_RATE = 36;
    static final int ATTR_GLOBAL_MEMORY_BUS_WIDTH = 37;
    static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    static final int ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    static final int FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    static final int STREAM_NON_BLOCKING = 1;
    static final int EVENT_DEFAULT = 0;
    static final int EVENT_DISABLE_TIMING = 2;
    static final int MEMHOSTALLOC_PORTABLE = 1;
    static final int STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    private final NativeLibrary library;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDevicePrimaryCtxRetain;
    private final MethodHandle cuDevicePrimaryCtxRelease;
    private final MethodHandle cuCtxSetCurrent;
    private final MethodHandle cuMemGetInfo;
    private final MethodHandle cuMemAlloc;
    private final MethodHandle cuMemFree;
    private final MethodHandle cuMemHostAlloc;
    private final MethodHandle cuMemFreeHost;
    private final MethodHandle cuMemcpyHtoDAsync;
    private final MethodHandle cuMemcpyDtoHAsync;
    private final MethodHandle cuMemcpyDtoDAsync;
    private final MethodHandle cuMemsetD32Async;
    private final MethodHandle cuModuleLoadData;
    private final MethodHandle cuModuleUnload;
    private final MethodHandle cuModuleGetFunction;
    private final MethodHandle cuFuncSetAttribute;
    private final MethodHandle cuLaunchKernel;
    private final MethodHandle cuStreamCreate;
    private final MethodHandle cuStreamDestroy;
    private final MethodHandle cuStreamSynchronize;
    private final MethodHandle cuEventCreate;
    private final MethodHandle cuEventRecord;
    private final MethodHandle cuEventSynchronize;
    private final MethodHandle cuEventElapsedTime;
    private final MethodHandle cuEventDestroy;
    private final MethodHandle cuStreamBeginCapture;
    private final MethodHandle cuStreamEndCapture;
    private final MethodHandle cuGraphInstantiate;
    private final MethodHandle cuGraphLaunch;
    private final MethodHandle cuGraphExecDestroy;
    private final MethodHandle cuGraphDestroy;
    private final MethodHandle cuGetErrorName;

    CudaDriver(NativeLibrary library) {
        this.library = library;
        cuInit = library.bind(FunctionDescriptor.of(I, I), "cuInit");
        cuDriverGetVersion = library.bind(FunctionDescriptor.of(I, P), "cuDriverGetVersion");
        cuDeviceGetCount = library.bind(FunctionDescriptor.of(I, P), "cuDeviceGetCount");
        cuDeviceGet = library.bind(FunctionDescriptor.of(I, P, I), "cuDeviceGet");
        cuDeviceGetName = library.bind(FunctionDescriptor.of(I, P, I, I), "cuDeviceGetName");
        cuDeviceGetAttribute = library.bind(FunctionDescriptor.of(I, P, I, I), "cuDeviceGetAttribute");
        cuDeviceTotalMem = library.bind(FunctionDescriptor.of(I, P, I), "cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = library.bind(FunctionDescriptor.of(I, P, I), "cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = library.bind(FunctionDescriptor.of(I, I), "cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = library.bind(FunctionDescriptor.of(I, P), "cuCtxSetCurrent");
        cuMemGetInfo = library.bind(FunctionDescriptor.of(I, P, P), "cuMemGetInfo_v2");
        cuMemAlloc = library.bind(FunctionDescriptor.of(I, P, J), "cuMemAlloc_v2");
        cuMemFree = library.bind(FunctionDescriptor.of(I, J), "cuMemFree_v2");
        cuMemHostAlloc = library.bind(FunctionDescriptor.of(I, P, J, I), "cuMemHostAlloc");
        cuMemFreeHost = library.bind(FunctionDescriptor.of(I, P), "cuMemFreeHost");
        cuMemcpyHtoDAsync = library.bind(FunctionDescriptor.of(I, J, P, J, P), "cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = library.bind(FunctionDescriptor.of(I, P, J, J, P), "cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync = library.bind(FunctionDescriptor.of(I, J, J, J, P), "cuMemcpyDtoDAsync_v2");
        cuMemsetD32Async = library.bind(FunctionDescriptor.of(I, J, I, J, P), "cuMemsetD32Async");
        cuModuleLoadData = library.bind(FunctionDescriptor.of(I, P, P), "cuModuleLoadData");
        cuModuleUnload = library.bind(FunctionDescriptor.of(I, P), "cuModuleUnload");
        cuModuleGetFunction = library.bind(FunctionDescriptor.of(I, P, P, P), "cuModuleGetFunction");
        cuFuncSetAttribute = library.bind(FunctionDescriptor.of(I, P, I, I), "cuFuncSetAttribute");
        cuLaunchKernel = library.bind(FunctionDescriptor.of(I, P, I, I, I, I, I, I, I, P, P, P), "cuLaunchKernel");
        cuStreamCreate = library.bind(FunctionDescriptor.of(I, P, I), "cuStreamCreate");
        cuStreamDestroy = library.bind(FunctionDescriptor.of(I, P), "cuStreamDestroy_v2");
        cuStreamSynchronize = library.bind(FunctionDescriptor.of(I, P), "cuStreamSynchronize");
        cuEventCreate = library.bind(FunctionDescriptor.of(I, P, I), "cuEventCreate");
        cuEventRecord = library.bind(FunctionDescriptor.of(I, P, P), "cuEventRecord");
        cuEventSynchronize = library.bind(FunctionDescriptor.of(I, P), "cuEventSynchronize");
        cuEventElapsedTime = library.bind(FunctionDescriptor.of(I, P, P, P), "cuEventElapsedTime_v2",
                "cuEventElapsedTime");
        cuEventDestroy = library.bind(FunctionDescriptor.of(I, P), "cuEventDestroy_v2");
        cuStreamBeginCapture = library.bind(FunctionDescriptor.of(I, P, I), "cuStreamBeginCapture_v2");
        cuStreamEndCapture = library.bind(FunctionDescriptor.of(I, P, P), "cuStreamEndCapture");
        cuGraphInstantiate = library.bind(FunctionDescriptor.of(I, P, P, J), "cuGraphInstantiateWithFlags");
        cuGraphLaunch = library.bind(FunctionDescriptor.of(I, P, P), "cuGraphLaunch");
        cuGraphExecDestroy = library.bind(FunctionDescriptor.of(I, P), "cuGraphExecDestroy");
        cuGraphDestroy = library.bind(FunctionDescriptor.of(I, P), "cuGraphDestroy");
        cuGetErrorName = library.bind(FunctionDescriptor.of(I, I, P), "cuGetErrorName");
    }

    String location() {
        return library.location();
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    /** "CUDA_ERROR_OUT_OF_MEMORY", or "CUresult 999" when the driver does not know the code. */
    String errorName(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            int r = (int) cuGetErrorName.invokeExact(result, out);
            MemorySegment text = out.get(P, 0);
            if (r != CUDA_SUCCESS || text.equals(MemorySegment.NULL)) {
                return "CUresult " + result;
            }
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Throws a {@link Gpt2Exception} of kind {@code BACKEND_FAILURE} unless {@code result} is success.
     *
     * @param call the C function that returned it, for the message
     */
    void check(int result, String call) {
        if (result != CUDA_SUCCESS) {
            String hint = result == CUDA_ERROR_OUT_OF_MEMORY
                    ? ": the GPU is out of memory; use a smaller model, --dtype bf16, or free the GPU"
                    : "";
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_FAILURE,
                    call + " failed with " + errorName(result) + hint);
        }
    }

    // ---- initialisation and devices --------------------------------------------------------------------------

    int init() {
        try {
            return (int) cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            check((int) cuDriverGetVersion.invokeExact(out), "cuDriverGetVersion");
            return out.get(I, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The number of devices; checks the result. */
    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            check((int) cuDeviceGetCount.invokeExact(out), "cuDeviceGetCount");
            return out.get(I, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            check((int) cuDeviceGet.invokeExact(out, ordinal), "cuDeviceGet");
            return out.get(I, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            check((int) cuDeviceGetName.invokeExact(out, 256, device), "cuDeviceGetName");
            return out.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int attribute(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            check((int) cuDeviceGetAttribute.invokeExact(out, attribute, device), "cuDeviceGetAttribute");
            return out.get(I, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An informational attribute, 0 when this driver does not report it (some are retired in newer drivers). */
    int attributeOrZero(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            int result = (int) cuDeviceGetAttribute.invokeExact(out, attribute, device);
            return result == CUDA_SUCCESS ? out.get(I, 0) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long totalMemory(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(J);
            check((int) cuDeviceTotalMem.invokeExact(out, device), "cuDeviceTotalMem");
            return out.get(J, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The device's primary context (the one cuBLAS's runtime uses too), retained. */
    MemorySegment retainPrimaryContext(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(out, device), "cuDevicePrimaryCtxRetain");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void releasePrimaryContext(int device) {
        try {
            check((int) cuDevicePrimaryCtxRelease.invokeExact(device), "cuDevicePrimaryCtxRelease");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setCurrent(MemorySegment context) {
        try {
            check((int) cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {free, total} bytes of device memory. */
    long[] memoryInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(J);
            MemorySegment total = arena.allocate(J);
            check((int) cuMemGetInfo.invokeExact(free, total), "cuMemGetInfo");
            return new long[] {free.get(J, 0), total.get(J, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- memory ----------------------------------------------------------------------------------------------

    /** Allocates device memory; the raw result is returned through {@code result[0]}, the pointer otherwise. */
    long memAlloc(long bytes, int[] result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(J);
            result[0] = (int) cuMemAlloc.invokeExact(out, bytes);
            return out.get(J, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void memFree(long pointer) {
        try {
            check((int) cuMemFree.invokeExact(pointer), "cuMemFree");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Page-locked host memory of {@code bytes}, as a segment of that size. */
    MemorySegment hostAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuMemHostAlloc.invokeExact(out, bytes, MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc");
            return out.get(P, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void hostFree(MemorySegment host) {
        try {
            check((int) cuMemFreeHost.invokeExact(host), "cuMemFreeHost");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            return (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            return (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            return (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets {@code count} 32-bit words at {@code dst} to {@code value}, on {@code stream}. */
    int memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        try {
            return (int) cuMemsetD32Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- modules and launches --------------------------------------------------------------------------------

    /** Loads a cubin or a NUL-terminated PTX image into the current context. */
    MemorySegment moduleLoadData(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuModuleLoadData.invokeExact(out, image), "cuModuleLoadData");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void moduleUnload(MemorySegment module) {
        try {
            check((int) cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment moduleFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuModuleGetFunction.invokeExact(out, module, arena.allocateFrom(name)),
                    "cuModuleGetFunction(" + name + ")");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setFunctionAttribute(MemorySegment function, int attribute, int value) {
        try {
            check((int) cuFuncSetAttribute.invokeExact(function, attribute, value), "cuFuncSetAttribute");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int launchKernel(MemorySegment function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                     MemorySegment stream, MemorySegment params) {
        try {
            return (int) cuLaunchKernel.invokeExact(function, gx, gy, gz, bx, by, bz, sharedBytes, stream, params,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- streams, events, graphs -----------------------------------------------------------------------------

    MemorySegment streamCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuStreamCreate.invokeExact(out, STREAM_NON_BLOCKING), "cuStreamCreate");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int streamDestroy(MemorySegment stream) {
        try {
            return (int) cuStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void streamSynchronize(MemorySegment stream) {
        try {
            check((int) cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment eventCreate(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) cuEventCreate.invokeExact(out, flags), "cuEventCreate");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            check((int) cuEventRecord.invokeExact(event, stream), "cuEventRecord");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void eventSynchronize(MemorySegment event) {
        try {
            check((int) cuEventSynchronize.invokeExact(event), "cuEventSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Milliseconds between two recorded timing events. */
    float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT);
            check((int) cuEventElapsedTime.invokeExact(out, start, end), "cuEventElapsedTime");
            return out.get(ValueLayout.JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int eventDestroy(MemorySegment event) {
        try {
            return (int) cuEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int beginCapture(MemorySegment stream) {
        try {
            return (int) cuStreamBeginCapture.invokeExact(stream, STREAM_CAPTURE_MODE_THREAD_LOCAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Ends a capture; the raw result goes to {@code result[0]}, the graph (NULL on failure) is returned. */
    MemorySegment endCapture(MemorySegment stream, int[] result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            result[0] = (int) cuStreamEndCapture.invokeExact(stream, out);
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Instantiates a graph; the raw result goes to {@code result[0]}. */
    MemorySegment graphInstantiate(MemorySegment graph, int[] result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            result[0] = (int) cuGraphInstantiate.invokeExact(out, graph, 0L);
            return out.get(P, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int graphLaunch(MemorySegment exec, MemorySegment stream) {
        try {
            return (int) cuGraphLaunch.invokeExact(exec, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int graphExecDestroy(MemorySegment exec) {
        try {
            return (int) cuGraphExecDestroy.invokeExact(exec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int graphDestroy(MemorySegment graph) {
        try {
            return (int) cuGraphDestroy.invokeExact(graph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Unchecked exceptions and errors pass through; a checked one (impossible for these handles) is wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
