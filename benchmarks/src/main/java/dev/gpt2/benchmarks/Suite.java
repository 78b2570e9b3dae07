package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;
import dev.gpt2.api.spi.DeviceLimits;
import dev.gpt2.benchmarks.report.Machine;
import dev.gpt2.benchmarks.report.Report;
import dev.gpt2.benchmarks.report.Run;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import tools.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The suite's main, which {@code mvn -pl benchmarks jmh:run} and {@code jmh:report} start.
 *
 * <pre>
 * Suite run --out DIR [--quick] -- [JMH OPTIONS]   runs the benchmarks, writes DIR/jmh-result.json (JMH's JSON),
 *                                                 DIR/jmh-run.json (the same tagged with the machine and limits)
 *                                                 and DIR/jmh-report.md + .svg
 * Suite report --results DIR                      the report over every run saved in DIR: DIR/report.md + .svg
 * </pre>
 *
 * <p>A benchmark with a {@code backend} parameter runs once per backend this machine has, with the dtypes that backend
 * holds (of those asked with {@code -p dtype=...}, else of those the benchmark lists); the others are skipped with the
 * reason. Each backend measures its limits (read bandwidth, FP32 peak) before its benchmarks run.
 */
public final class Suite {
    private static final String BACKEND = "backend";
    private static final String DTYPE = "dtype";
    /** The small parameters of the quick mode: every benchmark, every backend and dtype, each code path once. */
    private static final Map<String, String> QUICK_PARAMS = Map.of("tokens", "128", "context", "128", "steps", "4",
            "shape", "C_FC,LOGITS", "corpus", "testdata/tokenizer/gpt2-encode-dev.jsonl");

    private Suite() {
    }

    public static void main(String[] args) throws IOException {
        try {
            System.exit(run(List.of(args)));
        } catch (IllegalArgumentException | CommandLineOptionException e) {
            System.err.println("benchmarks: " + e.getMessage());
            System.exit(2);
        } catch (RunnerException e) {
            System.err.println("benchmarks: JMH failed: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(List<String> args) throws IOException, CommandLineOptionException, RunnerException {
        if (args.size() == 3 && args.get(0).equals("report") && args.get(1).equals("--results")) {
            return report(Path.of(args.get(2)));
        }
        int dashes = args.indexOf("--");
        if (args.size() >= 4 && args.get(0).equals("run") && args.get(1).equals("--out") && dashes >= 3
                && List.of(List.of(), List.of("--quick")).contains(args.subList(3, dashes))) {
            return runBenchmarks(Path.of(args.get(2)), dashes == 4, args.subList(dashes + 1, args.size()));
        }
        throw new IllegalArgumentException("usage: Suite run --out DIR [--quick] -- [JMH OPTIONS] | Suite report"
                + " --results DIR; got " + args);
    }

    private static int runBenchmarks(Path out, boolean quick, List<String> jmhArgs)
            throws IOException, CommandLineOptionException, RunnerException {
        CommandLineOptions user = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        if (user.shouldHelp() || user.shouldList() || user.shouldListWithParams() || user.shouldListProfilers()
                || user.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
            return 0;
        }
        if (user.getJvmArgs().hasValue()) {
            throw new IllegalArgumentException("-jvmArgs replaces the JVM options the forks inherit (the module path"
                    + " that finds the backends): use -jvmArgsAppend or -jvmArgsPrepend");
        }
        OutputFormat console = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.NORMAL);
        List<String> includes = user.getIncludes().isEmpty() ? List.of(".*") : user.getIncludes();
        SortedSet<BenchmarkListEntry> all = BenchmarkList.defaultList().find(console, includes, user.getExcludes());
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no benchmark matches " + includes + " (list them with"
                    + " -Djmh.args=-l)");
        }
        List<BenchmarkListEntry> plain = all.stream().filter(e -> !declares(e, BACKEND)).toList();
        List<BenchmarkListEntry> perBackend = all.stream().filter(e -> declares(e, BACKEND)).toList();

        List<RunResult> results = new ArrayList<>();
        List<Run.BackendRun> backends = new ArrayList<>();
        if (!plain.isEmpty()) {
            results.addAll(new Runner(options(user, quick, perBackend).build()).run());
        }
        if (!perBackend.isEmpty()) {
            List<BackendStatus> found = BackendRegistry.discover();
            List<String> dtypes = asked(user, DTYPE).orElse(declared(perBackend, DTYPE));
            for (String name : asked(user, BACKEND).orElse(found.stream().map(BackendStatus::name).toList())) {
                backends.add(runOn(name, found, dtypes, user, quick, plain, perBackend, results));
            }
        }
        return save(out, quick, jmhArgs, backends, results);
    }

    /** Runs the per-backend benchmarks on {@code name} with the dtypes it holds, after measuring its limits. */
    private static Run.BackendRun runOn(String name, List<BackendStatus> found, List<String> dtypes,
                                        CommandLineOptions user, boolean quick, List<BenchmarkListEntry> plain,
                                        List<BenchmarkListEntry> perBackend, List<RunResult> results)
            throws RunnerException {
        Optional<String> unavailable = Backends.unavailable(found, name);
        if (unavailable.isPresent()) {
            System.out.println("# skipped backend " + name + ": " + unavailable.get());
            return new Run.BackendRun(name, false, unavailable.get(), "", OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalDouble.empty(), "");
        }
        BackendStatus status = found.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        List<String> held = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String d : dtypes) {
            Optional<String> reason = Backends.whyNot(found, name, DType.parse(d));
            (reason.isEmpty() ? held : skipped).add(d);
            reason.ifPresent(r -> System.out.println("# skipped " + name + " with " + d + ": " + r));
        }
        Optional<DeviceLimits> limits = measureLimits(status, quick);
        ChainedOptionsBuilder b = options(user, quick, plain).param(BACKEND, name);
        List<BenchmarkListEntry> runnable = perBackend;
        if (held.isEmpty()) {
            // no dtype asked is held: only the benchmarks without weights (attention) run
            perBackend.stream().filter(e -> declares(e, DTYPE)).forEach(e -> b.exclude(exactly(e)));
            runnable = perBackend.stream().filter(e -> !declares(e, DTYPE)).toList();
        } else {
            b.param(DTYPE, held.toArray(String[]::new));
        }
        if (!runnable.isEmpty()) {
            results.addAll(new Runner(b.build()).run());
        }
        String note = skipped.isEmpty() ? "" : "skipped " + String.join(", ", skipped) + ": holds "
                + Backends.labels(status.probe().weightTypes()) + " only";
        return new Run.BackendRun(name, true, note, status.probe().device(),
                limits.map(l -> OptionalDouble.of(l.readBytesPerSecond())).orElse(OptionalDouble.empty()),
                limits.map(l -> OptionalDouble.of(l.typicalReadBytesPerSecond())).orElse(OptionalDouble.empty()),
                limits.map(l -> OptionalDouble.of(l.fp32FlopsPerSecond())).orElse(OptionalDouble.empty()),
                limits.map(DeviceLimits::method).orElse("not measured by this backend"));
    }

    private static Optional<DeviceLimits> measureLimits(BackendStatus status, boolean quick) {
        System.out.println("# measuring the limits of " + status.name() + " (" + status.probe().device() + ")");
        try (Backend backend = status.provider().orElseThrow().open(new BackendConfig(0))) {
            Optional<DeviceLimits> limits = backend.measureLimits(Duration.ofMillis(quick ? 500 : 3000));
            limits.ifPresent(l -> System.out.printf(java.util.Locale.ROOT,
                    "# %s: read %.1f GB/s (median pass %.1f), FP32 %.1f GFLOP/s (%s)%n", status.name(),
                    l.readBytesPerSecond() / 1e9, l.typicalReadBytesPerSecond() / 1e9, l.fp32FlopsPerSecond() / 1e9,
                    l.method()));
            return limits;
        }
    }

    /**
     * The user's options with those of the quick mode where the user set none, and {@code excluded} left out. The
     * user's options are the parent: its includes and excludes add to the child's, its other settings yield to them.
     */
    private static ChainedOptionsBuilder options(CommandLineOptions user, boolean quick,
                                                 List<BenchmarkListEntry> excluded) {
        ChainedOptionsBuilder b = new OptionsBuilder().parent(user);
        excluded.forEach(e -> b.exclude(exactly(e)));
        if (quick) {
            if (!user.getForkCount().hasValue()) {
                b.forks(1);
            }
            if (!user.getWarmupIterations().hasValue()) {
                b.warmupIterations(0);
            }
            if (!user.getMeasurementIterations().hasValue()) {
                b.measurementIterations(1);
            }
            if (!user.getWarmupTime().hasValue()) {
                b.warmupTime(TimeValue.seconds(1));
            }
            if (!user.getMeasurementTime().hasValue()) {
                b.measurementTime(TimeValue.seconds(1));
            }
            if (!user.shouldFailOnError().hasValue()) {
                b.shouldFailOnError(true);
            }
            for (Map.Entry<String, String> p : QUICK_PARAMS.entrySet()) {
                if (!user.getParameter(p.getKey()).hasValue()) {
                    b.param(p.getKey(), p.getValue().split(","));
                }
            }
        }
        return b;
    }

    /** Writes the JMH JSON, the tagged run and its report; 0 when something was measured. */
    private static int save(Path out, boolean quick, List<String> jmhArgs, List<Run.BackendRun> backends,
                            List<RunResult> results) throws IOException {
        Files.createDirectories(out);
        Path jmhJson = out.resolve("jmh-result.json");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(jmhJson), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        List<Map<String, Object>> jmh = new ArrayList<>();
        for (Object o : JSON.std.listFrom(Files.readString(jmhJson, StandardCharsets.UTF_8))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            jmh.add(m);
        }
        Run run = new Run(Machine.current(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), quick, jmhArgs,
                backends, jmh);
        Path tagged = out.resolve("jmh-run.json");
        run.write(tagged);
        Path md = Report.write(List.of(run), out, "jmh-report");
        System.out.println("# results: " + jmhJson + " (JMH), " + tagged + " (with the machine and the limits)");
        System.out.println("# report:  " + md + " and its chart " + md.resolveSibling("jmh-report.svg"));
        System.out.println("# to compare machines: cp " + tagged + " benchmarks/results/" + run.machine().id()
                + ".json, then mvn -pl benchmarks jmh:report");
        if (results.isEmpty()) {
            System.err.println("benchmarks: nothing was measured (every backend skipped, or every benchmark failed)");
            return 1;
        }
        return 0;
    }

    private static int report(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no folder " + dir + ": save runs there first (cp"
                    + " benchmarks/target/jmh-run.json " + dir + "/MACHINE.json)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no runs in " + dir + ": copy benchmarks/target/jmh-run.json of each"
                    + " machine there as MACHINE.json");
        }
        List<Run> runs = new ArrayList<>();
        for (Path f : files) {
            runs.add(Run.read(f));
        }
        Path md = Report.write(runs, dir, "report");
        System.out.println("# report over " + runs.size() + " run(s): " + md + " and " + md.resolveSibling("report.svg"));
        return 0;
    }

    private static boolean declares(BenchmarkListEntry e, String param) {
        return e.getParams().hasValue() && e.getParams().get().containsKey(param);
    }

    /** The values of {@code -p name=...}, if the user gave them. */
    private static Optional<List<String>> asked(CommandLineOptions user, String name) {
        return user.getParameter(name).hasValue() ? Optional.of(List.copyOf(user.getParameter(name).get()))
                : Optional.empty();
    }

    /** Every value the benchmarks declare for {@code param}, in order. */
    private static List<String> declared(Collection<BenchmarkListEntry> entries, String param) {
        Set<String> values = new LinkedHashSet<>();
        for (BenchmarkListEntry e : entries) {
            if (declares(e, param)) {
                values.addAll(Arrays.asList(e.getParams().get().get(param)));
            }
        }
        return List.copyOf(values);
    }

    /** A JMH pattern that matches this benchmark alone. */
    private static String exactly(BenchmarkListEntry e) {
        return "^" + Pattern.quote(e.getUsername()) + "$";
    }
}
