package dev.gpt2.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the Hub and the cache are, read from the same environment variables as Python's {@code huggingface_hub}, so
 * that a model it downloaded is found here and the other way round.
 *
 * <ul>
 *   <li>{@code endpoint}: {@code HF_ENDPOINT}, else {@code https://huggingface.co}.</li>
 *   <li>{@code cacheDir}: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}.
 *       {@code ~} and {@code $VARIABLES} in these are expanded.</li>
 *   <li>{@code token}: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file that
 *       {@code huggingface-cli login} writes ({@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}).</li>
 *   <li>{@code offline}: {@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE} set to 1, ON, YES or TRUE.</li>
 *   <li>{@code metadataTimeout}: {@code HF_HUB_ETAG_TIMEOUT} seconds (default 10), for connecting and for the
 *       answer to a file look-up.</li>
 *   <li>{@code downloadTimeout}: {@code HF_HUB_DOWNLOAD_TIMEOUT} seconds (default 10): a transfer that receives
 *       nothing for this long is cut and resumed.</li>
 *   <li>{@code retryDelay}: the pause before resuming a cut transfer (1 s).</li>
 * </ul>
 *
 * @param endpoint        the Hub, without a trailing slash
 * @param cacheDir        the cache folder ({@code models--org--name} folders live here)
 * @param token           the access token for private and gated repos
 * @param offline         never use the network
 * @param metadataTimeout limit for connecting and for the answer to a file look-up
 * @param downloadTimeout how long a transfer may receive nothing before it is cut and resumed
 * @param retryDelay      the pause before resuming a cut transfer
 */
public record HubSettings(URI endpoint, Path cacheDir, Optional<HubToken> token, boolean offline,
                          Duration metadataTimeout, Duration downloadTimeout, Duration retryDelay) {

    /** The public Hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))");

    public HubSettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(token, "token");
        endpoint = checkEndpoint(endpoint);
        for (Duration d : new Duration[] {metadataTimeout, downloadTimeout, retryDelay}) {
            if (d == null || d.isNegative() || (d != retryDelay && d.isZero())) {
                throw new IllegalArgumentException("hub timeouts must be positive and the retry delay not negative,"
                        + " got " + metadataTimeout + ", " + downloadTimeout + ", " + retryDelay);
            }
        }
    }

    /** The settings of this process's environment. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The settings that the given environment variables mean, with {@code home} as {@code ~}.
     *
     * @throws IllegalArgumentException if {@code HF_ENDPOINT} is not an http(s) URL or a timeout is not a number
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Function<String, Optional<String>> get = name -> Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
        Function<String, Path> path = value -> expand(value, env, home);
        Path hfHome = get.apply("HF_HOME").map(path)
                .orElseGet(() -> get.apply("XDG_CACHE_HOME").map(path).orElse(home.resolve(".cache"))
                        .resolve("huggingface"));
        Path cache = get.apply("HF_HUB_CACHE").or(() -> get.apply("HUGGINGFACE_HUB_CACHE")).map(path)
                .orElse(hfHome.resolve("hub"));
        Optional<HubToken> token = get.apply("HF_TOKEN").or(() -> get.apply("HUGGING_FACE_HUB_TOKEN"))
                .flatMap(HubToken::of)
                .or(() -> readTokenFile(get.apply("HF_TOKEN_PATH").map(path).orElse(hfHome.resolve("token"))));
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        URI endpoint = get.apply("HF_ENDPOINT").map(HubSettings::parseEndpoint).orElse(DEFAULT_ENDPOINT);
        return new HubSettings(endpoint, cache, token, offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"), Duration.ofSeconds(1));
    }

    /** Whether an environment value means true the way huggingface_hub reads it (1, ON, YES, TRUE). */
    public static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.strip().toUpperCase(Locale.ROOT));
    }

    public HubSettings withEndpoint(URI value) {
        return new HubSettings(value, cacheDir, token, offline, metadataTimeout, downloadTimeout, retryDelay);
    }

    public HubSettings withCacheDir(Path value) {
        return new HubSettings(endpoint, value, token, offline, metadataTimeout, downloadTimeout, retryDelay);
    }

    public HubSettings withToken(Optional<HubToken> value) {
        return new HubSettings(endpoint, cacheDir, value, offline, metadataTimeout, downloadTimeout, retryDelay);
    }

    public HubSettings withOffline(boolean value) {
        return new HubSettings(endpoint, cacheDir, token, value, metadataTimeout, downloadTimeout, retryDelay);
    }

    public HubSettings withTimeouts(Duration metadata, Duration download, Duration retry) {
        return new HubSettings(endpoint, cacheDir, token, offline, metadata, download, retry);
    }

    private static URI parseEndpoint(String value) {
        String trimmed = value.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            return URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HF_ENDPOINT must be an http(s) URL like https://huggingface.co, got '"
                    + value + "'", e);
        }
    }

    private static URI checkEndpoint(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (!("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) || endpoint.getHost() == null
                || endpoint.getQuery() != null || endpoint.getFragment() != null) {
            throw new IllegalArgumentException("the Hub endpoint (HF_ENDPOINT) must be an http(s) URL like "
                    + DEFAULT_ENDPOINT + ", got '" + endpoint + "'");
        }
        String text = endpoint.toString();
        return text.endsWith("/") ? URI.create(text.replaceAll("/+$", "")) : endpoint;
    }

    private static Duration seconds(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return DEFAULT_TIMEOUT;
        }
        try {
            int seconds = Integer.parseInt(value.strip());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive number of seconds, got '" + value + "'");
    }

    private static Optional<HubToken> readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? HubToken.of(Files.readString(file, StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** {@code ~} and {@code $NAME} / {@code ${NAME}} expanded as Python's expanduser and expandvars do. */
    static Path expand(String value, Map<String, String> env, Path home) {
        String text = value.strip();
        if (text.equals("~")) {
            return home;
        }
        if (text.startsWith("~/")) {
            text = home + text.substring(1);
        }
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String replacement = env.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(sb);
        return Path.of(sb.toString());
    }
}
