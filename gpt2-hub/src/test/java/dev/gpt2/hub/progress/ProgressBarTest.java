package dev.gpt2.hub.progress;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress text, driven by a hand-moved clock. */
class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicLong clock = new AtomicLong(1000 * SECOND);

    private Progress progress(Progress.Mode mode, int width) {
        return Progress.to(new PrintStream(output, true, StandardCharsets.UTF_8), mode, clock::get,
                Duration.ofSeconds(10), width);
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unitsAreWrittenLikeDownloadTools() {
        assertEquals("0 B", ProgressUnit.BYTES.amount(0));
        assertEquals("999 B", ProgressUnit.BYTES.amount(999));
        assertEquals("1.0 kB", ProgressUnit.BYTES.amount(1000));
        assertEquals("548.1 MB", ProgressUnit.BYTES.amount(548_105_171));
        assertEquals("6.4 GB", ProgressUnit.BYTES.amount(6_431_878_936L));
        assertEquals("12.3 MB/s", ProgressUnit.BYTES.rate(12_345_678.9));
        assertEquals("1234", ProgressUnit.ITEMS.amount(1234));
        assertEquals("56.7/s", ProgressUnit.ITEMS.rate(56.66));
        assertEquals("0:07", ProgressBar.clock(7.2));
        assertEquals("12:34", ProgressBar.clock(754));
        assertEquals("1:02:03", ProgressBar.clock(3723));
    }

    @Test
    void plainLinesComeEveryIntervalAndAtTheEnd() {
        Progress progress = progress(Progress.Mode.LINES, 80);
        try (ProgressBar bar = progress.start("model.safetensors", 100_000_000, ProgressUnit.BYTES)) {
            clock.addAndGet(4 * SECOND);
            bar.advance(40_000_000);
            assertEquals("", output(), "nothing before the first interval");
            clock.addAndGet(6 * SECOND);
            bar.advance(10_000_000);
            clock.addAndGet(SECOND);
            bar.advance(10_000_000);
            clock.addAndGet(9 * SECOND);
            bar.advance(40_000_000);
        }
        assertEquals("""
                model.safetensors: 50.0 MB of 100.0 MB (50%), 5.0 MB/s, 0:10 left
                model.safetensors: 100.0 MB in 0:20 (5.0 MB/s)
                """, output());
    }

    @Test
    void aResumedJobCountsOnlyNewWorkInTheRate() {
        Progress progress = progress(Progress.Mode.LINES, 80);
        ProgressBar bar = progress.start("shard", 1000, 600, ProgressUnit.ITEMS);
        clock.addAndGet(10 * SECOND);
        bar.advance(100);
        assertEquals("shard: 700 of 1000 (70%), 10.0/s, 0:30 left\n", output());
        bar.close();
        assertEquals("shard: 700 of 1000 (70%), 10.0/s, 0:30 left\nshard: stopped at 700 of 1000\n", output());
    }

    @Test
    void theBarIsRedrawnInPlaceAtMostTenTimesASecond() {
        Progress progress = progress(Progress.Mode.BAR, 80);
        try (ProgressBar bar = progress.start("model.safetensors", 1_000_000, ProgressUnit.BYTES)) {
            clock.addAndGet(SECOND);
            bar.advance(250_000);
            bar.advance(1);
            assertEquals(2, output().split("\r", -1).length - 1, "one draw at the start, one after a second");
            clock.addAndGet(3 * SECOND);
            bar.advance(749_999);
        }
        String[] draws = output().split("\r");
        assertEquals("model.safetensors  25% [####.............] 250.0 kB/1.0 MB 250.0 kB/s 0:03 left", draws[2]);
        assertEquals("model.safetensors 100% [#####################] 1.0 MB/1.0 MB 250.0 kB/s in 0:04\n",
                draws[draws.length - 1]);
        for (String draw : draws) {
            assertTrue(draw.strip().length() < 80, draw);
        }
    }

    @Test
    void aLongLabelIsCutFromTheLeftToFitTheWidth() {
        Progress progress = progress(Progress.Mode.BAR, 40);
        progress.start("models--openai-community--gpt2-xl/model.safetensors", 0, ProgressUnit.BYTES);
        String line = output().substring(1);
        assertEquals(39, line.length(), line);
        assertTrue(line.startsWith("…") && line.endsWith("model.safetensors 0 B 0 B/s"), line);
    }

    @Test
    void aNoteEndsTheBarLineFirst() {
        Progress progress = progress(Progress.Mode.BAR, 60);
        try (ProgressBar bar = progress.start("f", 10, ProgressUnit.ITEMS)) {
            progress.note("cut; resuming");
            clock.addAndGet(SECOND);
            bar.advance(10);
        }
        String[] lines = output().split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("\rf   0% ["), lines[0]);
        assertEquals("cut; resuming", lines[1]);
        assertTrue(lines[2].startsWith("\rf 100% [") && lines[2].endsWith(" 10/10 10.0/s in 0:01"), lines[2]);
    }

    @Test
    void offShowsNothing() {
        Progress progress = progress(Progress.Mode.OFF, 80);
        try (ProgressBar bar = progress.start("f", 10, ProgressUnit.ITEMS)) {
            clock.addAndGet(60 * SECOND);
            bar.advance(10);
            progress.note("hello");
        }
        assertEquals("", output());
    }

    @Test
    void theModeSettingIsChecked() {
        assertEquals(Progress.Mode.BAR, Progress.chooseMode("auto", true));
        assertEquals(Progress.Mode.LINES, Progress.chooseMode("auto", false));
        assertEquals(Progress.Mode.BAR, Progress.chooseMode("BAR", false));
        assertEquals(Progress.Mode.LINES, Progress.chooseMode("lines", true));
        assertEquals(Progress.Mode.OFF, Progress.chooseMode(" off ", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Progress.chooseMode("loud", true));
        assertTrue(e.getMessage().contains("'loud'"), e.getMessage());
        assertEquals(120, Progress.columns("120"));
        assertEquals(80, Progress.columns("x"));
        assertEquals(80, Progress.columns(null));
    }
}
