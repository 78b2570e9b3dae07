package dev.gpt2.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The machine this JVM runs on, as reports tag their figures with it ({@code gpt2 bench}, the JMH suite's runs).
 * Linux facts come from {@code /proc}; elsewhere they are empty.
 */
public final class Host {

    private Host() {
    }

    /** The CPU's model name ("AMD EPYC 9R14"), from {@code /proc/cpuinfo}, if it can be read. */
    public static Optional<String> cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name");
    }

    /** Physical memory in bytes, from {@code /proc/meminfo} ("MemTotal:  24567896 kB"), if it can be read. */
    public static OptionalLong physicalMemory() {
        return firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> OptionalLong.of(Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024))
                .orElse(OptionalLong.empty());
    }

    /** The JVM's name and version ("OpenJDK 64-Bit Server VM 25.0.3+9-LTS"). */
    public static String jdk() {
        return System.getProperty("java.vm.name") + " " + Runtime.version();
    }

    /** The value after the colon of the first line of {@code file} that starts with {@code key}. */
    private static Optional<String> firstValue(Path file, String key) {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
