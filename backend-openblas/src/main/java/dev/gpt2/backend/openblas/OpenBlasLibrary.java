package dev.gpt2.backend.openblas;

import jdk.incubator.vector.VectorShape;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * OpenBLAS as JavaCPP loads it: the native library is loaded once per JVM, on first use, and set to one thread.
 * OpenBLAS's own threads are never used: every call runs on the Java thread that makes it, and the backend splits
 * big products into tasks for its {@code ComputePool} (whose threads claim tasks as they come free). So OpenBLAS and
 * Java threads never compete for the cores, any number of Java threads may call at once, and a busy machine slows a
 * product down gracefully: OpenBLAS's threads split work statically and wait for each other, and measured 2-3 times
 * slower than one thread when other processes shared the 2 cores.
 *
 * <p>The variant loaded is {@code openblas_nolapack} (BLAS only, no LAPACK/gfortran symbols needed by this backend).
 */
final class OpenBlasLibrary {
    private static final System.Logger LOG = System.getLogger(OpenBlasLibrary.class.getName());

    private static final String PRESETS_MODULE = "org.bytedeco.openblas";

    private OpenBlasLibrary() {
    }

    /**
     * What loading the native library gave.
     *
     * @param loaded   whether the BLAS functions can be called
     * @param version  OpenBLAS's version ("0.3.31") when loaded, else empty
     * @param kernels  the CPU kernels OpenBLAS chose ("SkylakeX", "Haswell"), or empty when unknown
     * @param platform JavaCPP's name of this platform ("linux-x86_64")
     * @param reason   why it did not load, with what to do; empty when loaded
     */
    record Status(boolean loaded, String version, String kernels, String platform, String reason) {
    }

    private static final class Holder {
        static final Status STATUS = load();
    }

    /** OpenBLAS's x86-64 kernel sets that use AVX-512. */
    private static final Set<String> AVX512_KERNELS = Set.of("SkylakeX", "Cooperlake", "SapphireRapids");

    /** Loads the library on the first call; never throws. */
    static Status status() {
        return Holder.STATUS;
    }

    private static Status load() {
        if (!resolved(PRESETS_MODULE)) {
            return new Status(false, "", "", "", onModulePath(PRESETS_MODULE)
                    ? "JavaCPP's module " + PRESETS_MODULE + " is on the module path but not resolved: add the JVM"
                    + " option --add-modules ALL-MODULE-PATH"
                    : "JavaCPP's module " + PRESETS_MODULE + " is missing: put the jars of org.bytedeco:openblas and"
                    + " org.bytedeco:javacpp, with their natives jars for this platform, on the module path and add"
                    + " --add-modules ALL-MODULE-PATH");
        }
        String platform = "unknown";
        try {
            platform = Loader.getPlatform();
            Loader.load(openblas_nolapack.class);
            openblas_nolapack.blas_set_num_threads(1);
            String version = openblas_nolapack.OPENBLAS_VERSION.trim().replaceFirst("(?i)^openblas\\s*", "");
            String kernels = NativeCalls.coreName(Loader.getLoadedLibraries().get("openblas_nolapack@.0"));
            LOG.log(System.Logger.Level.DEBUG, () -> "OpenBLAS " + version + " loaded with " + kernels + " kernels: "
                    + Loader.getLoadedLibraries());
            return new Status(true, version, kernels, platform, "");
        } catch (LinkageError | RuntimeException e) {
            String reason = "the OpenBLAS native library did not load on " + platform + " (" + rootMessage(e) + "); "
                    + hint(platform);
            LOG.log(System.Logger.Level.DEBUG, reason, e);
            return new Status(false, "", "", platform, reason);
        }
    }

    /** What to do, naming the natives jars for this platform and whether they are there but not resolved. */
    static String hint(String platform) {
        String module = "org.bytedeco.openblas." + platform.replace('-', '.');
        String jars = "org.bytedeco:openblas:" + presetsVersion() + ":" + platform + " and org.bytedeco:javacpp:"
                + javacppVersion() + ":" + platform;
        if (!resolved(module) && onModulePath(module)) {
            return "the natives module " + module + " is on the module path but not resolved: add the JVM option"
                    + " --add-modules ALL-MODULE-PATH (or --add-modules " + module + ")";
        }
        return "put the natives jars " + jars + " on the module path and resolve them (--add-modules ALL-MODULE-PATH)"
                + ", or on the class path";
    }

    /** Whether {@code module} is in this module's layer (or its parents); always true on the class path. */
    private static boolean resolved(String module) {
        ModuleLayer layer = OpenBlasLibrary.class.getModule().getLayer();
        return layer == null || layer.findModule(module).isPresent();
    }

    private static boolean onModulePath(String module) {
        String path = System.getProperty("jdk.module.path", "");
        if (path.isEmpty()) {
            return false;
        }
        try {
            Path[] entries = Arrays.stream(path.split(java.io.File.pathSeparator)).map(Path::of).toArray(Path[]::new);
            return ModuleFinder.of(entries).find(module).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String presetsVersion() {
        try {
            String v = Loader.getVersion("org.bytedeco", "openblas", org.bytedeco.openblas.presets.openblas.class);
            return v != null ? v : "VERSION";
        } catch (IOException | RuntimeException e) {
            return "VERSION";
        }
    }

    private static String javacppVersion() {
        try {
            String v = Loader.getVersion();
            return v != null ? v : "VERSION";
        } catch (IOException | RuntimeException e) {
            return "VERSION";
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m).trim();
    }

    /**
     * "OpenBLAS 0.3.31 (linux-x86_64, SkylakeX kernels)" or the reason it is unavailable, for diagnostics; with
     * {@link #coreTypeHint} when the environment holds OpenBLAS to narrower kernels than the CPU runs.
     */
    static String describe() {
        Status s = status();
        return s.loaded() ? "OpenBLAS " + s.version() + " (" + s.platform().toLowerCase(Locale.ROOT)
                + (s.kernels().isEmpty() ? "" : ", " + s.kernels() + " kernels") + environmentHint(s) + ")"
                : s.reason();
    }

    /** Whether {@code OPENBLAS_CORETYPE} holds the loaded OpenBLAS to narrower kernels than the CPU runs. */
    static boolean narrowedByEnvironment() {
        Status s = status();
        return s.loaded() && !environmentHint(s).isEmpty();
    }

    private static String environmentHint(Status s) {
        return coreTypeHint(System.getenv("OPENBLAS_CORETYPE"), s.kernels(), System.getProperty("os.arch"),
                VectorShape.preferredShape().vectorBitSize());
    }

    /**
     * What to do when {@code OPENBLAS_CORETYPE} makes OpenBLAS run kernels without AVX-512 on an x86-64 CPU that has
     * it (its sgemm then runs at about half the speed: 65-85 GFLOP/s per core against 150-175 measured on Zen 5), else
     * "".
     *
     * @param coreType the variable's value, or null
     * @param kernels  the kernels OpenBLAS runs ("Haswell"), or empty when unknown
     * @param cpuBits  the CPU's widest vectors, in bits
     */
    static String coreTypeHint(String coreType, String kernels, String arch, int cpuBits) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (coreType == null || coreType.isBlank() || kernels.isEmpty() || !x86 || cpuBits < 512
                || AVX512_KERNELS.contains(kernels)) {
            return "";
        }
        return ": OPENBLAS_CORETYPE=" + coreType + " forces these kernels without AVX-512 on a CPU that has it, so"
                + " this backend ranks below vector; unset it for about twice the matmul speed";
    }
}
