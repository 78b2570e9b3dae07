package dev.gpt2.backend.cuda;

import dev.gpt2.api.Gpt2Exception;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Bindings to NVRTC ({@code libnvrtc.so.12} / {@code .13}, C signatures from {@code nvrtc.h}): compiles CUDA C
 * source to a cubin for a real architecture ({@code sm_90}) or to PTX for a virtual one ({@code compute_90}).
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose
final class Nvrtc {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    private final NativeLibrary library;
    private final MethodHandle version;
    private final MethodHandle numSupportedArchs;
    private final MethodHandle supportedArchs;
    private final MethodHandle createProgram;
    private final MethodHandle destroyProgram;
    private final MethodHandle compileProgram;
    private final MethodHandle logSize;
    private final MethodHandle log;
    private final MethodHandle cubinSize;
    private final MethodHandle cubin;
    private final MethodHandle ptxSize;
    private final MethodHandle ptx;
    private final MethodHandle errorString;

    Nvrtc(NativeLibrary library) {
        this.library = library;
        version = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcVersion");
        numSupportedArchs = library.bind(FunctionDescriptor.of(I, P), "nvrtcGetNumSupportedArchs");
        supportedArchs = library.bind(FunctionDescriptor.of(I, P), "nvrtcGetSupportedArchs");
        createProgram = library.bind(FunctionDescriptor.of(I, P, P, P, I, P, P), "nvrtcCreateProgram");
        destroyProgram = library.bind(FunctionDescriptor.of(I, P), "nvrtcDestroyProgram");
        compileProgram = library.bind(FunctionDescriptor.of(I, P, I, P), "nvrtcCompileProgram");
        logSize = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetProgramLogSize");
        log = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetProgramLog");
        cubinSize = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetCUBINSize");
        cubin = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetCUBIN");
        ptxSize = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetPTXSize");
        ptx = library.bind(FunctionDescriptor.of(I, P, P), "nvrtcGetPTX");
        errorString = library.bind(FunctionDescriptor.of(P, I), "nvrtcGetErrorString");
    }

    String location() {
        return library.location();
    }

    /** "12.8". */
    String version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(I);
            MemorySegment minor = arena.allocate(I);
            check((int) version.invokeExact(major, minor), "nvrtcVersion");
            return major.get(I, 0) + "." + minor.get(I, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** The real architectures it can compile for, as numbers (75, 80, 86, 89, 90, ...), ascending. */
    List<Integer> supportedArchitectures() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(I);
            check((int) numSupportedArchs.invokeExact(count), "nvrtcGetNumSupportedArchs");
            int n = count.get(I, 0);
            MemorySegment archs = arena.allocate(I, Math.max(n, 1));
            check((int) supportedArchs.invokeExact(archs), "nvrtcGetSupportedArchs");
            return java.util.Arrays.stream(archs.toArray(I)).limit(n).sorted().boxed().toList();
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /**
     * Compiles {@code source}. With {@code --gpu-architecture=sm_XX} among the options the result is a cubin, with
     * {@code compute_XX} NUL-terminated PTX.
     *
     * @param name     the program's file name, for the compiler's messages
     * @param cubinOut whether to take the cubin (true) or the PTX
     * @throws Gpt2Exception of kind {@code BACKEND_FAILURE} with the compiler's log when compilation fails
     */
    byte[] compile(String source, String name, List<String> options, boolean cubinOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment programOut = arena.allocate(P);
            check((int) createProgram.invokeExact(programOut, arena.allocateFrom(source), arena.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram");
            MemorySegment program = programOut.get(P, 0);
            try {
                MemorySegment optionArray = arena.allocate(P, Math.max(options.size(), 1));
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(P, i, arena.allocateFrom(options.get(i)));
                }
                int result = (int) compileProgram.invokeExact(program, options.size(), optionArray);
                if (result != 0) {
                    throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_FAILURE, "NVRTC " + version() + " at "
                            + location() + " could not compile " + name + " (" + errorName(result) + "): "
                            + programLog(arena, program).strip().replace('\n', ' '));
                }
                MemorySegment size = arena.allocate(J);
                check((int) (cubinOut ? cubinSize : ptxSize).invokeExact(program, size),
                        cubinOut ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize");
                MemorySegment image = arena.allocate(size.get(J, 0));
                check((int) (cubinOut ? cubin : ptx).invokeExact(program, image),
                        cubinOut ? "nvrtcGetCUBIN" : "nvrtcGetPTX");
                return image.toArray(ValueLayout.JAVA_BYTE);
            } finally {
                check((int) destroyProgram.invokeExact(programOut), "nvrtcDestroyProgram");
            }
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    private String programLog(Arena arena, MemorySegment program) throws Throwable {
        MemorySegment size = arena.allocate(J);
        check((int) logSize.invokeExact(program, size), "nvrtcGetProgramLogSize");
        MemorySegment text = arena.allocate(Math.max(1, size.get(J, 0)));
        check((int) log.invokeExact(program, text), "nvrtcGetProgramLog");
        return text.getString(0);
    }

    private void check(int result, String call) {
        if (result != 0) {
            throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_FAILURE, call + " failed with " + errorName(result));
        }
    }

    private String errorName(int result) {
        try {
            MemorySegment text = (MemorySegment) errorString.invokeExact(result);
            return text.equals(MemorySegment.NULL) ? "nvrtcResult " + result : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }
}
