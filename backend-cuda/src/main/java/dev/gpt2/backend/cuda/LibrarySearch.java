package dev.gpt2.backend.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the CUDA shared libraries by soname in the usual places, in this order: the {@value #PROPERTY} system
 * property, {@code LD_LIBRARY_PATH}, {@code CUDA_HOME} / {@code CUDA_PATH}, the toolkits under {@code /usr/local/cuda*}
 * ({@code lib64} and {@code targets/*}{@code /lib}), the system library folders, and the {@code nvidia/*}{@code /lib}
 * folders of pip-installed {@code nvidia-*} packages (first in the usual virtual environments, then in the
 * site-packages that {@code python3} reports). Toolkit {@code stubs} folders are never used: their {@code libcuda}
 * is not a driver.
 *
 * <p>Pure file logic: loading is {@link NativeLibrary}'s job, and the system loader is the caller's last resort.
 */
final class LibrarySearch {
    /** System property: extra folders (a path list) searched before anything else. */
    static final String PROPERTY = "gpt2.cuda.path";

    /**
     * What a search depends on, so that a test can fake the whole file system and environment.
     *
     * @param property           the value of {@value #PROPERTY}, or null
     * @param env                environment variables
     * @param root               the file system root ("/" normally)
     * @param home               the user's home folder
     * @param pythonSitePackages the site-packages folders {@code python3} reports; asked only when needed
     */
    record Environment(String property, Map<String, String> env, Path root, Path home,
                       Supplier<List<Path>> pythonSitePackages) {

        /** This process's environment. */
        static Environment system() {
            return new Environment(System.getProperty(PROPERTY), System.getenv(), Path.of("/"),
                    Path.of(System.getProperty("user.home", "/")), PythonSitePackages::ask);
        }
    }

    /**
     * A library found on disk.
     *
     * @param file   the file
     * @param soname the soname it was found by
     */
    record Found(Path file, String soname) {
        /** The major version in the soname ({@code libcublas.so.12} is 12). */
        int major() {
            String v = soname.substring(soname.lastIndexOf(".so.") + 4);
            int dot = v.indexOf('.');
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        }
    }

    private final Environment environment;
    private List<Path> fixedPlaces;
    private List<Path> pythonPlaces;

    LibrarySearch(Environment environment) {
        this.environment = environment;
    }

    /**
     * The first folder, in search order, that holds one of {@code sonames}; within a folder the sonames are tried in
     * the order given. The folders python3 reports are asked for only when the others hold none.
     */
    Optional<Found> find(List<String> sonames) {
        Optional<Found> found = findIn(fixedPlaces(), sonames);
        return found.isPresent() ? found : findIn(pythonPlaces(), sonames);
    }

    /** {@code soname} in {@code dir} itself, if it is there. */
    static Optional<Found> findInFolder(Path dir, String soname) {
        Path file = dir.resolve(soname);
        return Files.exists(file) ? Optional.of(new Found(file, soname)) : Optional.empty();
    }

    private static Optional<Found> findIn(List<Path> places, List<String> sonames) {
        for (Path dir : places) {
            for (String soname : sonames) {
                Optional<Found> found = findInFolder(dir, soname);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** The folders searched, in order, for a reason text: "gpt2.cuda.path (/a), LD_LIBRARY_PATH (/b), /c, ...". */
    String describePlaces() {
        List<String> parts = new ArrayList<>();
        String property = environment.property();
        parts.add(PROPERTY + " (" + (blank(property) ? "unset" : property) + ")");
        String ld = environment.env().get("LD_LIBRARY_PATH");
        parts.add("LD_LIBRARY_PATH (" + (blank(ld) ? "unset" : ld) + ")");
        Set<Path> listed = new LinkedHashSet<>();
        listed.addAll(entries(property));
        listed.addAll(entries(ld));
        for (Path p : fixedPlaces()) {
            if (!listed.contains(p)) {
                parts.add(p.toString());
            }
        }
        List<Path> python = pythonPlaces();
        parts.add(python.isEmpty() ? "no pip nvidia-* package folders"
                : python.stream().map(Path::toString).collect(Collectors.joining(", ")));
        return String.join(", ", parts);
    }

    /** Every existing folder searched before asking python3, in order, without repeats. */
    List<Path> fixedPlaces() {
        if (fixedPlaces == null) {
            fixedPlaces = existing(fixedCandidates());
        }
        return fixedPlaces;
    }

    /** The pip package folders under the site-packages python3 reports, less those already in {@link #fixedPlaces}. */
    List<Path> pythonPlaces() {
        if (pythonPlaces == null) {
            List<Path> dirs = new ArrayList<>();
            for (Path site : environment.pythonSitePackages().get()) {
                dirs.addAll(nvidiaPackageLibs(site));
            }
            List<Path> fresh = new ArrayList<>(existing(dirs));
            fresh.removeAll(fixedPlaces());
            pythonPlaces = List.copyOf(fresh);
        }
        return pythonPlaces;
    }

    private List<Path> fixedCandidates() {
        Map<String, String> env = environment.env();
        Path root = environment.root();
        List<Path> dirs = new ArrayList<>();
        for (Path p : entries(environment.property())) {
            dirs.add(p);
            dirs.add(p.resolve("lib64"));
            dirs.add(p.resolve("lib"));
            dirs.addAll(glob(p.resolve("targets"), "*", "lib"));
            dirs.addAll(nvidiaPackageLibs(p));
        }
        dirs.addAll(entries(env.get("LD_LIBRARY_PATH")));
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            if (!blank(env.get(var))) {
                dirs.addAll(toolkitLibs(Path.of(env.get(var))));
            }
        }
        Path local = root.resolve("usr/local");
        dirs.addAll(toolkitLibs(local.resolve("cuda")));
        for (Path toolkit : versionedToolkits(local)) {
            dirs.addAll(toolkitLibs(toolkit));
        }
        for (String system : List.of("usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "usr/lib64", "usr/lib",
                "usr/local/nvidia/lib64", "usr/lib/wsl/lib")) {
            dirs.add(root.resolve(system));
        }
        for (Path site : commonSitePackages(env, root)) {
            dirs.addAll(nvidiaPackageLibs(site));
        }
        if (!blank(env.get("CONDA_PREFIX"))) {
            dirs.add(Path.of(env.get("CONDA_PREFIX"), "lib"));
        }
        return dirs;
    }

    /** Site-packages folders of the usual Python installs and virtual environments. */
    private List<Path> commonSitePackages(Map<String, String> env, Path root) {
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            if (!blank(env.get(var))) {
                prefixes.add(Path.of(env.get(var)));
            }
        }
        Path home = environment.home();
        prefixes.add(home.resolve(".local"));
        prefixes.add(home.resolve(".venv"));
        prefixes.add(home.resolve("venv"));
        prefixes.addAll(glob(home.resolve(".pyenv/versions"), "*"));
        prefixes.add(root.resolve("opt/conda"));
        prefixes.add(root.resolve("usr/local"));
        prefixes.add(root.resolve("usr"));
        List<Path> sites = new ArrayList<>();
        for (Path prefix : prefixes) {
            for (Path lib : glob(prefix.resolve("lib"), "python3*")) {
                sites.add(lib.resolve("site-packages"));
                sites.add(lib.resolve("dist-packages"));
            }
        }
        sites.add(root.resolve("usr/lib/python3/dist-packages"));
        return sites;
    }

    /** {@code site/nvidia/*}{@code /lib}: where pip's nvidia-cublas-cu12, nvidia-cuda-nvrtc, ... (and cu13) put them. */
    static List<Path> nvidiaPackageLibs(Path site) {
        return glob(site.resolve("nvidia"), "*", "lib");
    }

    private static List<Path> toolkitLibs(Path toolkit) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(toolkit.resolve("lib64"));
        dirs.addAll(glob(toolkit.resolve("targets"), "*", "lib"));
        return dirs;
    }

    /** {@code /usr/local/cuda-X.Y}, newest version first. */
    private static List<Path> versionedToolkits(Path local) {
        return glob(local, "cuda-*").stream()
                .sorted(Comparator.comparing((Path p) -> version(p.getFileName().toString().substring(5)))
                        .reversed())
                .toList();
    }

    /** "13.0" as a comparable number (13 * 1000 + 0); unparsable versions sort first. */
    private static long version(String text) {
        String[] parts = text.split("\\.");
        long v = 0;
        for (int i = 0; i < 2; i++) {
            long part = 0;
            if (i < parts.length) {
                try {
                    part = Long.parseLong(parts[i]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            v = v * 1000 + part;
        }
        return v;
    }

    /** The sub-folders of {@code dir} matching {@code pattern}, sorted by name descending, each resolved by {@code then}. */
    private static List<Path> glob(Path dir, String pattern, String... then) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            var matcher = dir.getFileSystem().getPathMatcher("glob:" + pattern);
            return children.filter(p -> matcher.matches(p.getFileName()))
                    .sorted(Comparator.comparing(Path::toString).reversed())
                    .map(p -> {
                        Path q = p;
                        for (String t : then) {
                            q = q.resolve(t);
                        }
                        return q;
                    })
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The folders that exist, without toolkit stubs, each once (a symbolic link and its target count as one). */
    private static List<Path> existing(List<Path> dirs) {
        Set<Path> real = new java.util.HashSet<>();
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            Path normal = dir.toAbsolutePath().normalize();
            if (Files.isDirectory(normal) && !isStubs(normal) && real.add(realPath(normal))) {
                out.add(normal);
            }
        }
        return List.copyOf(out);
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    private static boolean isStubs(Path dir) {
        for (Path part : dir) {
            if (part.toString().equals("stubs")) {
                return true;
            }
        }
        return false;
    }

    private static List<Path> entries(String pathList) {
        if (blank(pathList)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        for (String entry : pathList.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                out.add(Path.of(entry.trim()).toAbsolutePath().normalize());
            }
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
