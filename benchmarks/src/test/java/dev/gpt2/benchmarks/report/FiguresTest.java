package dev.gpt2.benchmarks.report;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelSize;
import dev.gpt2.core.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rates and fractions of the limits from JMH's results, checked against sums done by hand; the saved run and report. */
class FiguresTest {
    private static final double READ = 50e9;
    private static final double TYPICAL_READ = 40e9;
    private static final double PEAK = 400e9;

    static Run run() {
        Machine machine = new Machine("Test CPU 9000", 8, 1L << 34, "none", "Test VM 25", "Linux amd64");
        Run.BackendRun vector = new Run.BackendRun("vector", true, "", "test device", OptionalDouble.of(READ),
                OptionalDouble.of(TYPICAL_READ), OptionalDouble.of(PEAK), "test");
        Run.BackendRun cuda = new Run.BackendRun("cuda", false, "unavailable: no driver", "", OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), "");
        return new Run(machine, "2026-01-02T03:04:05Z", false, List.of("-f", "1"), List.of(cuda, vector), List.of(
                result("ModelBenchmark.decode", Map.of("backend", "vector", "context", "128", "dtype", "f32",
                        "model", "124M", "steps", "16"), 500.0, "ms/op", Map.of()),
                result("GemmBenchmark.matmul", Map.of("backend", "vector", "dtype", "bf16", "model", "124M",
                        "rows", "512", "shape", "C_FC"), 10_000.0, "us/op", Map.of()),
                result("GemmBenchmark.matmul", Map.of("backend", "vector", "dtype", "bf16", "model", "124M",
                        "rows", "1", "shape", "C_FC"), 100.0, "us/op", Map.of()),
                result("TokenizerBenchmark.encodeJtokkit", Map.of("corpus", "c.txt"), 2.0, "ops/s",
                        Map.of("bytes", Map.of("score", 5e7, "scoreUnit", "ops/s")))));
    }

    private static Map<String, Object> result(String benchmark, Map<String, String> params, double score, String unit,
                                              Map<String, Object> secondary) {
        return Map.of("benchmark", "dev.gpt2.benchmarks." + benchmark, "mode", "avgt", "params", params,
                "primaryMetric", Map.of("score", score, "scoreError", "NaN", "scoreUnit", unit),
                "secondaryMetrics", secondary);
    }

    @Test
    void ratesBesideTheLimits() {
        List<Figure> f = Figures.of(run(), "");
        // decode: 16 tokens in 0.5 s; bound = read bandwidth / (weights + KV cache of 128 positions)
        Figure decode = f.get(0);
        assertEquals(Section.DECODE, decode.section());
        assertEquals("124M, f32, context 128, steps 16", decode.row());
        assertEquals("vector", decode.series());
        assertEquals(32.0, decode.value(), 1e-9);
        double bytes = Workload.decodeBytesPerToken(ModelSize.GPT2_124M.config(), DType.F32, 128);
        double bound = READ / bytes;
        assertEquals(Figures.percent(32 / bound) + " of " + Figures.format(bound) + "; "
                + Figures.percent(32 / (TYPICAL_READ / bytes)) + " of the median read", decode.limit());
        // 512 x 768 x 3072 multiply-adds in 10 ms: 241.6 GFLOP/s, 60% of 400
        Figure gemm = f.get(1);
        assertEquals(Section.GEMM, gemm.section());
        assertEquals(2.0 * 512 * 768 * 3072 / 0.01 / 1e9, gemm.value(), 1e-9);
        assertEquals("60%", gemm.limit());
        // one row: 768 x 3072 bf16 weights (4.72 MB) in 100 us: 47.2 GB/s, 94% of 50
        Figure gemv = f.get(2);
        assertEquals(Section.GEMV, gemv.section());
        assertEquals(768.0 * 3072 * 2 / 1e-4 / 1e9, gemv.value(), 1e-9);
        assertEquals("94%", gemv.limit());
        Figure tokenizer = f.get(3);
        assertEquals(Section.TOKENIZER, tokenizer.section());
        assertEquals("encode", tokenizer.row());
        assertEquals("jtokkit", tokenizer.series());
        assertEquals(50.0, tokenizer.value(), 1e-9);
    }

    @Test
    void jmhUnits() {
        assertEquals(2e-6, Figures.secondsPerOp(2, "us/op"), 1e-18);
        assertEquals(0.25, Figures.secondsPerOp(4, "ops/s"), 1e-15);
        assertEquals(1e-3 / 4, Figures.secondsPerOp(4, "ops/ms"), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Figures.secondsPerOp(1, "furlongs"));
    }

    @Test
    void savedRunsMergeIntoOneReport(@TempDir Path dir) throws IOException {
        Run a = run();
        a.write(dir.resolve("a.json"));
        Run back = Run.read(dir.resolve("a.json"));
        assertEquals(a.machine(), back.machine());
        assertEquals(a.backends(), back.backends());
        assertEquals(a.results().size(), back.results().size());
        Run b = new Run(new Machine("Other CPU", 4, 0, "NVIDIA H100 80GB HBM3, 81559 MiB", "VM", "Linux"),
                a.date(), true, List.of(), a.backends(), a.results());
        Path md = Report.write(List.of(back, b), dir, "report");
        String text = Files.readString(md);
        assertTrue(text.contains("| test-9000-8c | Test CPU 9000 | 8 | 16 GiB |"), text);
        assertTrue(text.contains("| case | test-9000-8c · vector | other-4c-nvidia-h100-80gb-hbm3 · vector |"), text);
        assertTrue(text.contains("| 124M, f32, context 128, steps 16 | 32.0 ("), text);
        assertTrue(text.contains("skipped: unavailable: no driver"), text);
        assertTrue(text.contains("| 50.0 GB/s (median pass 40.0) |"), text);
        assertTrue(text.contains("Quick runs"), text);
        assertTrue(Files.readString(dir.resolve("report.svg")).startsWith("<svg"));
        // a run saved before the median pass was recorded reads with none
        Path older = dir.resolve("older.json");
        String saved = Files.readString(dir.resolve("a.json"));
        Files.writeString(older, saved.replaceAll("\"typical_read_bytes_per_s\"[^,]*,", ""));
        assertTrue(Run.read(older).backend("vector").orElseThrow().typicalReadBytesPerSecond().isEmpty());
        Files.writeString(dir.resolve("jmh-result.json"), "[]");
        assertThrows(IllegalArgumentException.class, () -> Run.read(dir.resolve("jmh-result.json")));
    }
}
