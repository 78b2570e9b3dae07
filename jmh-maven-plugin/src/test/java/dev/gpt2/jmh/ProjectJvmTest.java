package dev.gpt2.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Explicit modules go on the module path, the rest on the class path, in order. */
class ProjectJvmTest {

    @Test
    void explicitModulesGoOnTheModulePath(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path moduleJar = jar(dir.resolve("module.jar"), "module-info.class", false);
        Path versionedJar = jar(dir.resolve("versioned.jar"), "META-INF/versions/11/module-info.class", true);
        Path plainJar = jar(dir.resolve("plain.jar"), "a/B.class", false);
        Path missing = dir.resolve("missing.jar");

        ProjectJvm jvm = ProjectJvm.of(List.of(classes, moduleJar, plainJar, versionedJar, missing));
        assertEquals(List.of(moduleJar, versionedJar), jvm.modulePath());
        assertEquals(List.of(classes, plainJar), jvm.classPath());
        assertFalse(ProjectJvm.isExplicitModule(classes));
        Files.write(classes.resolve("module-info.class"), new byte[0]);
        assertTrue(ProjectJvm.isExplicitModule(classes));
    }

    @Test
    void optionsNameEveryModuleForNativeAccess(@TempDir Path dir) throws IOException {
        Path module = dir.resolve("m.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(module))) {
            jar.putNextEntry(new JarEntry("module-info.class"));
            jar.write(moduleInfo(dir, "test.mod"));
        }
        Path plain = jar(dir.resolve("p.jar"), "a/B.class", false);
        List<String> options = ProjectJvm.of(List.of(plain, module)).options(List.of("-Xss4m"));
        assertEquals(List.of("-Xss4m", "--module-path", module.toString(), "--add-modules", "ALL-MODULE-PATH",
                "--enable-native-access=ALL-UNNAMED,test.mod", "-cp", plain.toString()), options);

        Path args = dir.resolve("java.args");
        ProjectJvm.writeArgumentFile(args, List.of("-cp", "a b\\c\"d"));
        assertEquals("\"-cp\"\n\"a b\\\\c\\\"d\"\n", Files.readString(args));
    }

    private static Path jar(Path file, String entry, boolean multiRelease) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (multiRelease) {
            manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(new byte[] {0});
        }
        return file;
    }

    /** The module-info.class of an empty module named {@code name}, compiled in {@code dir}. */
    private static byte[] moduleInfo(Path dir, String name) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("module-info.java"), "module " + name + " { }\n");
        Path out = dir.resolve("out");
        int exit = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(),
                src.resolve("module-info.java").toString());
        assertEquals(0, exit, "javac");
        return Files.readAllBytes(out.resolve("module-info.class"));
    }
}
