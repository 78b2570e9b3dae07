package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Bindings to cuBLAS ({@code libcublas.so.12} / {@code .13}, C signatures from {@code cublas_api.h}): handles and
 * {@code cublasGemmEx}, which covers TF32 for F32 weights and tensor cores for F16 / BF16 weights.
 */
final class Cublas {
    static final int OP_N = 0;
    static final int OP_T = 1;
    /** {@code cudaDataType}. */
    static final int R_32F = 0;
    static final int R_16F = 2;
    static final int R_16BF = 14;
    /** {@code cublasComputeType_t}. */
    static final int COMPUTE_32F = 68;
    static final int COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    private final NativeLibrary library;
    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle setStream;
    private final MethodHandle setWorkspace;
    private final MethodHandle getVersion;
    private final MethodHandle gemmEx;

    Cublas(NativeLibrary library) {
        this.library = library;
        create = library.bind(FunctionDescriptor.of(I, P), "cublasCreate_v2");
        destroy = library.bind(FunctionDescriptor.of(I, P), "cublasDestroy_v2");
        setStream = library.bind(FunctionDescriptor.of(I, P, P), "cublasSetStream_v2");
        setWorkspace = library.bind(FunctionDescriptor.of(I, P, P, ValueLayout.JAVA_LONG), "cublasSetWorkspace_v2");
        getVersion = library.bind(FunctionDescriptor.of(I, P, P), "cublasGetVersion_v2");
        gemmEx = library.bind(FunctionDescriptor.of(I, P, I, I, I, I, I, P, P, I, I, P, I, I, P, P, I, I, I, I),
                "cublasGemmEx");
    }

    String location() {
        return library.location();
    }

    /** A new handle; the caller destroys it. Needs the CUDA context current on this thread. */
    MemorySegment createHandle() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(P);
            check((int) create.invokeExact(out), "cublasCreate");
            return out.get(P, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    void destroyHandle(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    void setStream(MemorySegment handle, MemorySegment stream) {
        try {
            check((int) setStream.invokeExact(handle, stream), "cublasSetStream");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** Gives the handle its own workspace, so that it never allocates while a CUDA graph is being captured. */
    void setWorkspace(MemorySegment handle, long devicePointer, long bytes) {
        try {
            check((int) setWorkspace.invokeExact(handle, MemorySegment.ofAddress(devicePointer), bytes),
                    "cublasSetWorkspace");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** The version as cuBLAS encodes it (major * 10000 + minor * 100 + patch for 12+). */
    int version(MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(I);
            check((int) getVersion.invokeExact(handle, out), "cublasGetVersion");
            return out.get(I, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /**
     * {@code C = alpha * op(A) . op(B) + beta * C}, column-major, on the handle's stream; {@code alpha} and
     * {@code beta} are host floats. Returns the raw {@code cublasStatus_t}.
     */
    int gemmEx(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha, long a,
               int aType, int lda, long b, int bType, int ldb, MemorySegment beta, long c, int cType, int ldc,
               int computeType) {
        try {
            return (int) gemmEx.invokeExact(handle, transA, transB, m, n, k, alpha, MemorySegment.ofAddress(a),
                    aType, lda, MemorySegment.ofAddress(b), bType, ldb, beta, MemorySegment.ofAddress(c), cType,
                    ldc, computeType, GEMM_DEFAULT);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** Throws a {@code BACKEND_FAILURE} naming the call and the status unless it is success. */
    static void check(int status, String call) {
        if (status != 0) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_FAILURE, call + " failed with " + statusName(status));
        }
    }

    /** The {@code cublasStatus_t} name for a code. */
    static String statusName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t " + status;
        };
    }
}
