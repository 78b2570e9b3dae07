package dev.gpt2.backend.vector.cpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugePagesTest {
    private static final long MIB = 1L << 20;

    @Test
    void onWhereTheKernelOffersThemAndThisModuleHasNativeAccess() throws IOException {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean offered = System.getProperty("os.name").equals("Linux") && Files.isReadable(thp)
                && !Files.readString(thp).contains("[never]");
        boolean expected = offered && HugePages.class.getModule().isNativeAccessEnabled()
                && Boolean.parseBoolean(System.getProperty("gpt2.hugepages", "true"));
        assertEquals(expected, HugePages.status().startsWith("on"), HugePages.status());
        assertEquals(expected, HugePages.covers(64 * MIB));
        assertFalse(HugePages.covers(64 * 1024), "a small allocation never takes a huge page");
    }

    @Test
    void largeAllocationsAreZeroedAlignedWritableAndFreedWithTheirArena() {
        long bytes = 6 * MIB + 12;
        MemorySegment s;
        try (Arena arena = Arena.ofConfined()) {
            s = HugePages.allocate(arena, bytes);
            assertEquals(bytes, s.byteSize());
            assertEquals(0, s.address() % (HugePages.covers(bytes) ? 2 * MIB : 64), "alignment");
            for (long i = 0; i < bytes; i += 4093) {
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i), "fresh memory is zero at " + i);
            }
            s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 1.5f);
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
            assertEquals(1.5f, s.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
        MemorySegment closed = s;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_BYTE, 0),
                "the segment dies with its arena");
    }

    @Test
    void smallAllocationsComeFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = HugePages.allocate(arena, 1000);
            assertEquals(1000, s.byteSize());
            assertEquals(0, s.address() % 64);
            assertTrue(s.scope().equals(arena.scope()));
        }
    }
}
