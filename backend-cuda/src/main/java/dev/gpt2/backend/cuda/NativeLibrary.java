package dev.gpt2.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One loaded shared library and the downcall handles bound from it. Libraries stay loaded for the life of the
 * process (they are loaded into the global arena): the CUDA libraries cannot be unloaded safely anyway.
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private final String location;
    private final SymbolLookup lookup;

    private NativeLibrary(String location, SymbolLookup lookup) {
        this.location = location;
        this.lookup = lookup;
    }

    /**
     * Loads {@code file}.
     *
     * @throws IllegalStateException naming the file and the loader's error when it cannot be loaded
     */
    static NativeLibrary load(Path file) {
        try {
            return new NativeLibrary(file.toString(), SymbolLookup.libraryLookup(file, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads {@code soname} through the system loader ({@code ld.so.cache}); empty when it does not know it. */
    static Optional<NativeLibrary> loadBySoname(String soname) {
        try {
            return Optional.of(new NativeLibrary(soname + " (system loader)",
                    SymbolLookup.libraryLookup(soname, Arena.global())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Where it was loaded from: a path, or the soname and "(system loader)". */
    String location() {
        return location;
    }

    /** Whether it exports {@code symbol}. */
    boolean has(String symbol) {
        return lookup.find(symbol).isPresent();
    }

    /**
     * A downcall handle for the first of {@code names} the library exports (newer symbol versions first).
     *
     * @throws IllegalStateException naming the symbols and the library when it has none of them
     */
    MethodHandle bind(FunctionDescriptor descriptor, String... names) {
        for (String name : names) {
            Optional<MemorySegment> symbol = lookup.find(name);
            if (symbol.isPresent()) {
                return LINKER.downcallHandle(symbol.get(), descriptor);
            }
        }
        throw new IllegalStateException(location + " exports none of " + String.join(", ", names)
                + ": the library is older than this backend supports (CUDA 12 or newer)");
    }
}
