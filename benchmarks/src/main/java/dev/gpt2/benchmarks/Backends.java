package dev.gpt2.benchmarks;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendRegistry;
import dev.gpt2.api.spi.BackendStatus;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compute backends, found as the model code finds them ({@link BackendRegistry}); no benchmark names a backend
 * class. The suite runs a benchmark only on the backends and dtypes that {@link #whyNot} accepts, so a failure here
 * means a benchmark was run by hand with a backend this machine lacks.
 */
final class Backends {
    private Backends() {
    }

    /** Why backend {@code name} cannot run here; empty when it can. */
    static Optional<String> unavailable(List<BackendStatus> found, String name) {
        Optional<BackendStatus> s = found.stream().filter(b -> b.name().equals(name)).findFirst();
        if (s.isEmpty()) {
            return Optional.of("not on the class path (" + BackendRegistry.listing(found) + ")");
        }
        if (!s.get().available()) {
            return Optional.of("unavailable: " + s.get().probe().reason());
        }
        return Optional.empty();
    }

    /** Why backend {@code name} cannot hold weights as {@code dtype} here; empty when it can. */
    static Optional<String> whyNot(List<BackendStatus> found, String name, DType dtype) {
        return unavailable(found, name).or(() -> {
            Set<DType> held = found.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow().probe()
                    .weightTypes();
            return held.contains(dtype) ? Optional.empty()
                    : Optional.of("holds weights as " + labels(held) + " only, not " + dtype);
        });
    }

    /**
     * The backend {@code name}, checked to hold {@code dtype}.
     *
     * @throws IllegalStateException saying why it cannot
     */
    static BackendStatus check(String name, DType dtype) {
        List<BackendStatus> found = BackendRegistry.discover();
        whyNot(found, name, dtype).ifPresent(reason -> {
            throw new IllegalStateException("backend " + name + " cannot run this benchmark: " + reason);
        });
        return found.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    /** Opens backend {@code name} with a thread per processor, checking first that it holds {@code dtype}. */
    static Backend open(String name, DType dtype) {
        return check(name, dtype).provider().orElseThrow().open(new BackendConfig(0));
    }

    /** "bf16, f32": the labels in order. */
    static String labels(Set<DType> types) {
        TreeSet<String> labels = new TreeSet<>();
        types.forEach(t -> labels.add(t.label()));
        return String.join(", ", labels);
    }
}
