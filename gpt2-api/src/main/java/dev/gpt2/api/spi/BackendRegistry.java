package dev.gpt2.api.spi;

import dev.gpt2.api.Gpt2Exception;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds the compute backends on the module path (or class path) and picks one.
 *
 * <p><b>Selection order.</b>
 * <ol>
 *   <li>An explicit choice, the first of: the API option ({@code LoadOptions.backend}, which the CLI's
 *       {@code --backend} sets), the system property {@value #PROPERTY}, the environment variable {@value #ENV}.
 *       If the named backend is missing or unavailable, selection fails with a {@link Gpt2Exception} of kind
 *       {@code BACKEND_UNAVAILABLE} that says where the choice came from and lists every other backend with its
 *       state and the first words of its reason ({@code gpt2 backends} has them whole); it never falls back silently.
 *   <li>Otherwise the available backend of highest {@link BackendProvider#priority()} (on a tie, the first name in
 *       alphabetical order).
 * </ol>
 * A provider that fails to load or whose probe throws is listed as unavailable with the error, and never hides the
 * others.
 */
public final class BackendRegistry {
    /** System property naming the backend to use. */
    public static final String PROPERTY = "gpt2.backend";
    /** Environment variable naming the backend to use (after the system property). */
    public static final String ENV = "GPT2_BACKEND";

    private static final System.Logger LOG = System.getLogger(BackendRegistry.class.getName());

    private BackendRegistry() {
    }

    /** Every backend found, available or not, highest priority first. Probes each one. */
    public static List<BackendStatus> discover() {
        List<BackendStatus> found = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class).iterator();
        while (true) {
            BackendProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "a backend provider failed to load: " + e.getMessage());
                found.add(new BackendStatus(brokenName(e), Integer.MIN_VALUE,
                        Probe.unavailable("the provider failed to load: " + oneLine(e)), Optional.empty()));
                continue;
            }
            found.add(probe(provider));
        }
        found.sort(Comparator.comparingInt(BackendStatus::priority).reversed().thenComparing(BackendStatus::name));
        warnAboutDuplicates(found);
        return List.copyOf(found);
    }

    private static BackendStatus probe(BackendProvider provider) {
        String name;
        int priority;
        try {
            name = provider.name();
            priority = provider.priority();
        } catch (RuntimeException | LinkageError e) {
            return new BackendStatus(provider.getClass().getName(), Integer.MIN_VALUE,
                    Probe.unavailable("the provider failed to describe itself: " + oneLine(e)), Optional.empty());
        }
        Probe probe;
        try {
            probe = provider.probe();
            if (probe == null) {
                probe = Probe.unavailable("the provider's probe returned nothing");
            }
        } catch (RuntimeException | LinkageError e) {
            probe = Probe.unavailable("the probe failed: " + oneLine(e));
        }
        return new BackendStatus(name, priority, probe, Optional.of(provider));
    }

    private static void warnAboutDuplicates(List<BackendStatus> found) {
        found.stream().collect(Collectors.groupingBy(BackendStatus::name)).forEach((name, same) -> {
            if (same.size() > 1) {
                LOG.log(System.Logger.Level.WARNING, same.size() + " backends are named '" + name
                        + "'; the one of highest priority is used: " + same.getFirst().describe());
            }
        });
    }

    /** The explicit choice: the API option if present, else {@value #PROPERTY}, else {@value #ENV}. */
    public static Optional<String> explicitChoice(Optional<String> apiOption) {
        return choice(apiOption).map(Choice::name);
    }

    /**
     * A backend named explicitly, and where: {@code source} is "" for the API option, else " (from -Dgpt2.backend)"
     * or " (from GPT2_BACKEND)", for messages.
     */
    private record Choice(String name, String source) {
    }

    private static Optional<Choice> choice(Optional<String> apiOption) {
        if (apiOption.isPresent()) {
            return Optional.of(new Choice(apiOption.get(), ""));
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(new Choice(property.trim(), " (from -D" + PROPERTY + ")"));
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(new Choice(env.trim(), " (from " + ENV + ")"));
        }
        return Optional.empty();
    }

    /**
     * Picks a backend as the class documentation says.
     *
     * @param apiOption the caller's explicit choice, if any
     * @throws Gpt2Exception of kind {@code BACKEND_UNAVAILABLE}, listing every backend and its state
     */
    public static BackendStatus select(Optional<String> apiOption) {
        Optional<Choice> choice = choice(apiOption);
        return select(choice.map(Choice::name), choice.map(Choice::source).orElse(""), discover());
    }

    /** Picks among {@code found}, with {@code explicit} already resolved (from the API option). */
    public static BackendStatus select(Optional<String> explicit, List<BackendStatus> found) {
        return select(explicit, "", found);
    }

    private static BackendStatus select(Optional<String> explicit, String source, List<BackendStatus> found) {
        if (explicit.isPresent()) {
            String wanted = explicit.get().toLowerCase(Locale.ROOT);
            Optional<BackendStatus> named = found.stream().filter(s -> s.name().equals(wanted)).findFirst();
            if (named.isEmpty()) {
                throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, "backend '" + explicit.get() + "'"
                        + source + " is not on the module path; " + briefListing(found, wanted));
            }
            if (!named.get().available()) {
                throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, "backend '" + wanted + "'" + source
                        + " is unavailable: " + named.get().probe().reason() + "; " + briefListing(found, wanted));
            }
            return named.get();
        }
        return found.stream().filter(BackendStatus::available).findFirst().orElseThrow(
                () -> new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE,
                        "no compute backend is available: put a backend jar (backend-vector works everywhere) on the"
                                + " module path; " + listing(found)));
    }

    /**
     * "available: openblas, vector; unavailable: cuda (no CUDA driver)": the other backends than {@code except} by
     * state, each reason cut at its first colon (`gpt2 backends` shows them whole).
     */
    static String briefListing(List<BackendStatus> found, String except) {
        List<BackendStatus> others = found.stream().filter(s -> !s.name().equals(except)).toList();
        if (others.isEmpty()) {
            return "no other backend was found";
        }
        String available = others.stream().filter(BackendStatus::available).map(BackendStatus::name)
                .collect(Collectors.joining(", "));
        String unavailable = others.stream().filter(s -> !s.available())
                .map(s -> s.name() + " (" + firstClause(s.probe().reason()) + ")")
                .collect(Collectors.joining(", "));
        return (available.isEmpty() ? "none available" : "available: " + available)
                + (unavailable.isEmpty() ? "" : "; unavailable: " + unavailable) + " (see gpt2 backends)";
    }

    /** "backends: vector (priority 100): available: ...; cuda (priority 300): unavailable: ..." */
    public static String listing(List<BackendStatus> found) {
        if (found.isEmpty()) {
            return "no backend was found at all";
        }
        return "backends: " + found.stream().map(BackendStatus::describe).collect(Collectors.joining("; "));
    }

    private static String brokenName(Throwable e) {
        return firstClause(String.valueOf(e.getMessage()));
    }

    /** A message up to its first colon, at most 80 chars. */
    private static String firstClause(String m) {
        int colon = m.indexOf(':');
        String first = colon > 0 ? m.substring(0, colon) : m;
        return first.length() > 80 ? first.substring(0, 80) : first;
    }

    private static String oneLine(Throwable e) {
        String m = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return m.replace('\n', ' ').replace('\r', ' ');
    }
}
