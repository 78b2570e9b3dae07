package dev.gpt2.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks {@code python3} where its packages live, to find pip-installed {@code nvidia-*} libraries outside the usual
 * folders (a conda or pyenv Python, for example). Called only when a library was not found elsewhere; any failure
 * (no python3, a slow start) means "no folders".
 */
final class PythonSitePackages {
    private static final System.Logger LOG = System.getLogger(PythonSitePackages.class.getName());
    private static final String SCRIPT = "import site, sys\n"
            + "dirs = list(site.getsitepackages()) if hasattr(site, 'getsitepackages') else []\n"
            + "dirs.append(site.getusersitepackages())\n"
            + "dirs += [p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))]\n"
            + "print('\\n'.join(dirs))\n";

    private PythonSitePackages() {
    }

    static List<Path> ask() {
        try {
            Process p = new ProcessBuilder("python3", "-c", SCRIPT).redirectErrorStream(false).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.log(System.Logger.Level.DEBUG, "python3 took longer than 10 s to list its site-packages");
                return List.of();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<Path> dirs = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    dirs.add(Path.of(line.trim()));
                }
            }
            return dirs;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
