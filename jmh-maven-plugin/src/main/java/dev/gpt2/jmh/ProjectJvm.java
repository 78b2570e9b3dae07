package dev.gpt2.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

/**
 * The java command line of a project's main: every explicit JPMS module of its runtime class path (a jar or folder with
 * a {@code module-info.class}) goes on the module path, so that {@link java.util.ServiceLoader} finds the providers
 * they declare; everything else (the benchmarks, JMH, plain jars) stays on the class path, in the unnamed module,
 * which reads every module.
 *
 * <p>The options are written to an argument file ({@code java @FILE}), which also lets a user run any other main of
 * the project by hand. JMH starts its forks with the options of the JVM it runs in, so the forks get the same paths.
 *
 * @param modulePath the explicit modules, in class-path order
 * @param classPath  everything else
 */
record ProjectJvm(List<Path> modulePath, List<Path> classPath) {

    /** Splits a runtime class path (this project's classes first, then its dependencies). */
    static ProjectJvm of(List<Path> runtimeClassPath) {
        List<Path> modules = new ArrayList<>();
        List<Path> plain = new ArrayList<>();
        for (Path p : runtimeClassPath) {
            if (Files.exists(p)) {
                (isExplicitModule(p) ? modules : plain).add(p);
            }
        }
        return new ProjectJvm(List.copyOf(modules), List.copyOf(plain));
    }

    /** Whether {@code path}, a jar or a class folder, holds a {@code module-info.class} (multi-release jars too). */
    static boolean isExplicitModule(Path path) {
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve("module-info.class"));
        }
        try (JarFile jar = new JarFile(path.toFile(), false, ZipFile.OPEN_READ, Runtime.version())) {
            return jar.getJarEntry("module-info.class") != null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " to see whether it is a module", e);
        }
    }

    /** The names of the modules on {@link #modulePath()}. */
    List<String> moduleNames() {
        TreeSet<String> names = new TreeSet<>();
        for (ModuleReference m : ModuleFinder.of(modulePath.toArray(Path[]::new)).findAll()) {
            names.add(m.descriptor().name());
        }
        return List.copyOf(names);
    }

    /**
     * The JVM options: {@code extra}, then the module path with every module in it resolved, native access for the
     * class path and every module (JavaCPP, the FFM backends), and the class path.
     */
    List<String> options(List<String> extra) {
        List<String> o = new ArrayList<>(extra);
        List<String> names = moduleNames();
        if (!modulePath.isEmpty()) {
            o.add("--module-path");
            o.add(join(modulePath));
            o.add("--add-modules");
            o.add("ALL-MODULE-PATH");
        }
        List<String> nativeAccess = new ArrayList<>();
        nativeAccess.add("ALL-UNNAMED");
        nativeAccess.addAll(names);
        o.add("--enable-native-access=" + String.join(",", nativeAccess));
        o.add("-cp");
        o.add(join(classPath));
        return o;
    }

    /** Writes {@code options} as a java argument file, one quoted option a line. */
    static void writeArgumentFile(Path file, List<String> options) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String option : options) {
            sb.append('"').append(option.replace("\\", "\\\\").replace("\"", "\\\"")).append('"').append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    private static String join(List<Path> paths) {
        List<String> s = new ArrayList<>();
        paths.forEach(p -> s.add(p.toAbsolutePath().toString()));
        return String.join(java.io.File.pathSeparator, s);
    }
}
