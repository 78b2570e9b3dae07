package dev.gpt2.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run was measured on, so that runs of several machines merge into one comparison.
 *
 * @param cpu         the CPU model ({@code /proc/cpuinfo}), or the architecture where that cannot be read
 * @param cores       processors available to the JVM
 * @param memoryBytes physical memory, 0 when unknown
 * @param gpu         the GPUs {@code nvidia-smi} lists ("NVIDIA H100 80GB HBM3, 81559 MiB"), or "none"
 * @param jdk         the JVM's name and version
 * @param os          the operating system, its version and the architecture
 */
public record Machine(String cpu, int cores, long memoryBytes, String gpu, String jdk, String os) {

    /** This machine. */
    public static Machine current() {
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), physicalMemory(), gpus(),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    /** A short name for tables and file names: "amd-epyc-2c", "intel-xeon-platinum-8480-16c-nvidia-h100-80gb-hbm3". */
    public String id() {
        String name = cpu.replaceAll("\\(R\\)|\\(TM\\)|\\bCPU\\b|@.*|\\b\\d+-Core Processor\\b|\\bProcessor\\b", " ");
        String id = slug(name) + "-" + cores + "c";
        if (!gpu.equals("none")) {
            id += "-" + slug(gpu.split(",")[0]);
        }
        return id;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id());
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("memory_bytes", memoryBytes);
        m.put("gpu", gpu);
        m.put("jdk", jdk);
        m.put("os", os);
        return m;
    }

    static Machine fromJson(Map<String, Object> m) {
        return new Machine(String.valueOf(m.get("cpu")), ((Number) m.get("cores")).intValue(),
                ((Number) m.get("memory_bytes")).longValue(), String.valueOf(m.get("gpu")),
                String.valueOf(m.get("jdk")), String.valueOf(m.get("os")));
    }

    private static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    private static String cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch") + " CPU");
    }

    private static long physicalMemory() {
        // "MemTotal:       24567896 kB"
        return firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
    }

    /** The value after the colon of the first line of {@code file} that starts with {@code key}. */
    private static Optional<String> firstValue(Path file, String key) {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The GPUs as nvidia-smi lists them, one per line joined with "; ", or "none". */
    private static String gpus() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return "none";
            }
            List<String> gpus = new ArrayList<>(text.strip().lines().map(String::strip).filter(s -> !s.isEmpty())
                    .toList());
            return gpus.isEmpty() ? "none" : String.join("; ", gpus);
        } catch (IOException e) {
            return "none";   // no nvidia-smi: no NVIDIA GPU to speak of
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "none";
        }
    }
}
