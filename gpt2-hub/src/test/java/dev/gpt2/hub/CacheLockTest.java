package dev.gpt2.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock on a blob is exclusive across processes, as huggingface_hub's file locks are. */
class CacheLockTest {
    @TempDir
    Path temp;

    @Test
    void aSecondProcessWaitsUntilTheFirstLetsGo() throws Exception {
        Path lockFile = temp.resolve(".locks/models--a--b/abc.lock");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target/test-classes").toAbsolutePath();
        Process holder = new ProcessBuilder(java, "-cp", classPath, LockHolder.class.getName(), lockFile.toString(),
                "500").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("locked", out.readLine());
            try (CacheLock _ = CacheLock.acquire(lockFile)) {
                assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
                assertEquals(List.of("releasing"), out.lines().toList(), "acquired only after the other let go");
            }
        } finally {
            holder.destroy();
        }
    }
}
