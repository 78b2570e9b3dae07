package dev.gpt2.backend.vector.cpu;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Off-heap memory for what the kernels stream (weights, KV caches), on Linux's transparent huge pages where they
 * can be had.
 *
 * <p>Why: a decode step reads every weight once, and the CPU's stream prefetchers stop at each 4 KiB page; with 2 MiB
 * pages they run on, and the TLB covers the weights. Measured on 2 Zen 5 cores: a sum over 154 MB read at 33 GB/s
 * (median) from 2 MiB pages against 26 GB/s from 4 KiB pages, alternating in one run.
 *
 * <p>How: an anonymous {@code mmap} aligned to 2 MiB and {@code madvise(MADV_HUGEPAGE)} before any page is touched
 * (memory from {@link Arena#allocate} is zeroed, so touched, before one could advise it), unmapped when its arena
 * closes. Used when all of these hold, else plain {@link Arena#allocate} (same contents, 4 KiB pages):
 * <ul>
 *   <li>Linux on x86-64 or AArch64, with {@code /sys/kernel/mm/transparent_hugepage/enabled} set to {@code always}
 *       or {@code madvise};
 *   <li>native access is enabled for this module ({@code --enable-native-access=dev.gpt2.backend.vector}, or
 *       {@code ALL-UNNAMED} on the class path), so that calling {@code mmap} neither warns nor fails;
 *   <li>the system property {@code gpt2.hugepages} is not {@code false}.
 * </ul>
 * {@link #status()} says which, in words, for {@code describe()}.
 */
public final class HugePages {
    private static final long HUGE = 2L << 20;
    /** Smaller allocations gain nothing from huge pages (and would waste most of one). */
    private static final long MIN_BYTES = 4L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;

    private static final String STATUS;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        String status;
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        String mode = thpMode();
        String arch = System.getProperty("os.arch");
        if (!Boolean.parseBoolean(System.getProperty("gpt2.hugepages", "true"))) {
            status = "off (-Dgpt2.hugepages=false)";
        } else if (!System.getProperty("os.name").equals("Linux")
                || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            status = "off (not Linux on x86-64 or AArch64)";
        } else if (!(mode.equals("always") || mode.equals("madvise"))) {
            status = "off (transparent huge pages are '" + mode + "' in /sys/kernel/mm/transparent_hugepage/enabled)";
        } else if (!HugePages.class.getModule().isNativeAccessEnabled()) {
            status = "off (enable native access for " + moduleName() + " to use them)";
        } else {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            status = "on (2 MiB, transparent: " + mode + ")";
        }
        STATUS = status;
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private HugePages() {
    }

    /** Whether large allocations get huge pages, and if not why not. */
    public static String status() {
        return STATUS;
    }

    /**
     * Whether large allocations get huge pages; then F32 weights mapped from a checkpoint are copied onto them rather
     * than used in place.
     */
    public static boolean enabled() {
        return MMAP != null;
    }

    /** Whether {@link #allocate} would put {@code bytes} on huge pages. */
    static boolean covers(long bytes) {
        return enabled() && bytes >= MIN_BYTES;
    }

    /**
     * {@code bytes} of zeroed memory, 64-byte aligned at least, freed when {@code arena} closes: on huge pages when
     * they are on and the allocation is large, else from {@code arena} itself.
     */
    static MemorySegment allocate(Arena arena, long bytes) {
        if (!covers(bytes)) {
            return arena.allocate(bytes, 64);
        }
        long mapped = bytes + HUGE;
        MemorySegment raw;
        try {
            raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + mapped + " bytes failed: " + e, e);
        }
        if (raw.address() == -1L) {
            throw new OutOfMemoryError("mmap could not map " + mapped + " bytes for weights or a KV cache");
        }
        long start = (raw.address() + HUGE - 1) & -HUGE;
        long rawAddress = raw.address();
        MemorySegment segment = MemorySegment.ofAddress(start).reinterpret(bytes, arena, s -> unmap(rawAddress,
                mapped));
        try {
            // advice only: where the kernel refuses, the memory is still good on 4 KiB pages
            int ignored = (int) MADVISE.invokeExact(segment, bytes, MADV_HUGEPAGE);
        } catch (Throwable e) {
            throw new IllegalStateException("madvise failed: " + e, e);
        }
        return segment;
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed: " + e, e);
        }
    }

    /** The bracketed word of the kernel's THP setting ("always [madvise] never"), or why there is none. */
    private static String thpMode() {
        try {
            String line = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).trim();
            int open = line.indexOf('[');
            int close = line.indexOf(']');
            return open >= 0 && close > open ? line.substring(open + 1, close) : line;
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String moduleName() {
        Module m = HugePages.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }
}
