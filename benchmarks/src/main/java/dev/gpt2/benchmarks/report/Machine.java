package dev.gpt2.benchmarks.report;

import dev.gpt2.core.Host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        return new Machine(Host.cpuModel().orElse(System.getProperty("os.arch") + " CPU"),
                Runtime.getRuntime().availableProcessors(), Host.physicalMemory().orElse(0), gpus(), Host.jdk(),
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
