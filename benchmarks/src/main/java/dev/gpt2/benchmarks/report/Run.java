package dev.gpt2.benchmarks.report;

import tools.jackson.core.JacksonException;
import tools.jackson.jr.ob.JSON;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One run of the suite on one machine, as saved in {@code target/jmh-run.json}: the machine, the backends with the
 * limits they measured, and JMH's results in JMH's own JSON format. Files of several machines side by side make the
 * cross-hardware report.
 *
 * @param machine  where it ran
 * @param date     when (ISO-8601, UTC)
 * @param quick    whether it was the quick smoke run (one short iteration each: not figures)
 * @param jmhArgs  the JMH options it was given
 * @param backends every backend found, run or skipped
 * @param results  JMH's result objects, one per benchmark and parameter set
 */
public record Run(Machine machine, String date, boolean quick, List<String> jmhArgs, List<BackendRun> backends,
                  List<Map<String, Object>> results) {

    /** The format of the file; a reader refuses other ones. */
    static final int FORMAT = 1;

    public Run {
        jmhArgs = List.copyOf(jmhArgs);
        backends = List.copyOf(backends);
        results = List.copyOf(results);
    }

    /**
     * A backend of the run.
     *
     * @param name               the backend's name
     * @param ran                whether its benchmarks ran
     * @param note               why it was skipped, or which dtypes it skipped; empty otherwise
     * @param device             where it computes, as its probe says
     * @param readBytesPerSecond the read bandwidth it measured (its best pass), if it did
     * @param typicalReadBytesPerSecond the median pass of that measurement (absent in runs saved before it existed)
     * @param fp32FlopsPerSecond the FP32 peak it measured, if it did
     * @param limitsMethod       how it measured them
     */
    public record BackendRun(String name, boolean ran, String note, String device, OptionalDouble readBytesPerSecond,
                             OptionalDouble typicalReadBytesPerSecond, OptionalDouble fp32FlopsPerSecond,
                             String limitsMethod) {
    }

    /** The backend named {@code name}, if the run has it. */
    java.util.Optional<BackendRun> backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** Writes this run as JSON. */
    public void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("machine", machine.toJson());
        m.put("date", date);
        m.put("quick", quick);
        m.put("jmh_args", jmhArgs);
        List<Map<String, Object>> bs = new ArrayList<>();
        for (BackendRun b : backends) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("ran", b.ran());
            bm.put("note", b.note());
            bm.put("device", b.device());
            bm.put("read_bytes_per_s", orNull(b.readBytesPerSecond()));
            bm.put("typical_read_bytes_per_s", orNull(b.typicalReadBytesPerSecond()));
            bm.put("fp32_flops_per_s", orNull(b.fp32FlopsPerSecond()));
            bm.put("limits_method", b.limitsMethod());
            bs.add(bm);
        }
        m.put("backends", bs);
        m.put("results", results);
        Files.writeString(file, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(m) + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * Reads a run written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file when it is not such a run
     */
    @SuppressWarnings("unchecked")
    public static Run read(Path file) throws IOException {
        Map<String, Object> m;
        try {
            m = JSON.std.mapFrom(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + " is not JSON: " + e.getOriginalMessage());
        }
        if (!(m.get("format") instanceof Number n) || n.intValue() != FORMAT) {
            throw new IllegalArgumentException(file + " is not a run of this suite (format " + FORMAT
                    + "): copy target/jmh-run.json files there, not jmh-result.json");
        }
        List<BackendRun> backends = new ArrayList<>();
        for (Object o : (List<Object>) m.get("backends")) {
            Map<String, Object> b = (Map<String, Object>) o;
            backends.add(new BackendRun(String.valueOf(b.get("name")), Boolean.TRUE.equals(b.get("ran")),
                    String.valueOf(b.get("note")), String.valueOf(b.get("device")), number(b.get("read_bytes_per_s")),
                    number(b.get("typical_read_bytes_per_s")), number(b.get("fp32_flops_per_s")),
                    String.valueOf(b.get("limits_method"))));
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (Object o : (List<Object>) m.get("results")) {
            results.add((Map<String, Object>) o);
        }
        return new Run(Machine.fromJson((Map<String, Object>) m.get("machine")), String.valueOf(m.get("date")),
                Boolean.TRUE.equals(m.get("quick")), ((List<Object>) m.get("jmh_args")).stream().map(String::valueOf)
                .toList(), backends, results);
    }

    private static Double orNull(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }

    private static OptionalDouble number(Object o) {
        return o instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }
}
