package dev.gpt2.backend.openblas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * What JavaCPP's presets do not map of OpenBLAS, called through the JDK's FFM API: which CPU kernels it picked.
 *
 * <p>OpenBLAS (a {@code DYNAMIC_ARCH} build) picks its kernels by CPU model when it loads, unless the environment
 * variable {@code OPENBLAS_CORETYPE} names them; on an AVX-512 CPU the AVX2 ("Haswell") kernels run at about half the
 * speed of the AVX-512 ones ("SkylakeX", "Cooperlake"), so the choice belongs in every report of its speed.
 */
final class NativeCalls {
    private static final System.Logger LOG = System.getLogger(NativeCalls.class.getName());

    private NativeCalls() {
    }

    /**
     * The kernels OpenBLAS picked ({@code openblas_get_corename()}), or empty when it cannot be asked: also when this
     * module has no native access ({@code --enable-native-access=dev.gpt2.backend.openblas}), so that the JDK never
     * warns for a diagnostic.
     */
    @SuppressWarnings("restricted")
    static String coreName(String library) {
        if (library == null || !NativeCalls.class.getModule().isNativeAccessEnabled()) {
            return "";
        }
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lookup = SymbolLookup.libraryLookup(Path.of(library), arena);
            MethodHandle corename = Linker.nativeLinker().downcallHandle(
                    lookup.find("openblas_get_corename").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment name = (MemorySegment) corename.invokeExact();
            return name.reinterpret(64).getString(0);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.DEBUG, "could not ask OpenBLAS its kernels: " + e);
            return "";
        }
    }
}
