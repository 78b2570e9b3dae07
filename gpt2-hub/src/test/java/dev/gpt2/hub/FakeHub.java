package dev.gpt2.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub on loopback, in the Hub's URL and header scheme, for tests and for a manual end-to-end check.
 *
 * <p>Two servers: the Hub ({@code HEAD|GET /{repo}/resolve/{revision}/{file}}) and a CDN on another port.
 * A small file is answered by the Hub with {@code ETag} = its git blob SHA-1; a large (LFS) file with a 302 to the
 * CDN, {@code X-Linked-Etag} = its SHA-256 and {@code X-Linked-Size}. Every answer carries {@code X-Repo-Commit};
 * errors carry {@code X-Error-Code} as the Hub's do (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo).
 * The CDN honours {@code Range} and can be told to misbehave ({@link Fault}). Every request is recorded.
 *
 * <p>{@link #main(String[])} serves the fixture checkpoint {@code testdata/models/tiny-b} until killed.
 */
final class FakeHub implements AutoCloseable {

    /** One request either server received. */
    record Request(String server, String method, String path, Headers headers) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.getFirst(name));
        }
    }

    /** What the CDN does to one coming request instead of answering it well. */
    sealed interface Fault {
        /** Sends the headers and {@code bytes} bytes of the body, then drops the connection. */
        record CutAfter(long bytes) implements Fault {
        }

        /** Answers with this status and no body. */
        record Status(int code) implements Fault {
        }

        /** Sends the right length with one byte changed. */
        record Corrupt() implements Fault {
        }

        /** Sends the headers and a little of the body, then nothing for this long. */
        record Stall(Duration duration) implements Fault {
        }

        /** Answers a range request with the whole file (200), as some servers do. */
        record IgnoreRange() implements Fault {
        }
    }

    /** One repo at one commit. */
    static final class Repo {
        final String id;
        final String commit;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final Map<String, String> revisions = new ConcurrentHashMap<>();
        String token;
        boolean gated;

        Repo(String id) {
            this.id = id;
            this.commit = hex("SHA-1", ("commit of " + id).getBytes(StandardCharsets.UTF_8));
            revisions.put("main", commit);
        }

        Repo file(String name, byte[] content) {
            files.put(name, content);
            return this;
        }

        Repo file(String name, Path content) throws IOException {
            return file(name, Files.readAllBytes(content));
        }

        Repo tag(String name) {
            revisions.put(name, commit);
            return this;
        }

        /** Answers only requests with {@code Authorization: Bearer <token>}. */
        Repo privateWith(String value) {
            this.token = value;
            return this;
        }

        Repo gated() {
            this.gated = true;
            return this;
        }
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    /** Files this large or named *.safetensors are LFS files, served through the CDN. */
    private static final int LFS_THRESHOLD = 10 * 1024 * 1024;
    /** The CDN writes in pieces, as a real server streams (one huge write makes the JDK copy it whole first). */
    private static final int CHUNK = 1 << 16;

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.createContext("/", this::serveHub);
        cdn.createContext("/", this::serveCdn);
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://" + hub.getAddress().getHostString() + ":" + hub.getAddress().getPort());
    }

    URI cdnOrigin() {
        return URI.create("http://" + cdn.getAddress().getHostString() + ":" + cdn.getAddress().getPort());
    }

    Repo repo(String id) {
        return repos.computeIfAbsent(id, Repo::new);
    }

    /** Makes {@code oldId} answer with a relative redirect to {@code newId}, as the Hub does for a renamed repo. */
    void rename(String oldId, String newId) {
        renamed.put(oldId, newId);
    }

    synchronized void queue(Fault... coming) {
        faults.addAll(List.of(coming));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String server) {
        return requests.stream().filter(r -> r.server().equals(server)).toList();
    }

    static boolean isLfs(String name, byte[] content) {
        return name.endsWith(".safetensors") || content.length >= LFS_THRESHOLD;
    }

    static String sha256(byte[] content) {
        return hex("SHA-256", content);
    }

    /** The git blob id of a small file: SHA-1 of {@code "blob <length>\0"} and the content. */
    static String gitBlobId(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return hex("SHA-1", all);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    private void serveHub(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requests.add(new Request("hub", method, path, exchange.getRequestHeaders()));
            int resolve = path.indexOf("/resolve/");
            if (resolve < 0) {
                error(exchange, 404, null);
                return;
            }
            String repoId = path.substring(1, resolve);
            String rest = path.substring(resolve + "/resolve/".length());
            int slash = rest.indexOf('/');
            String revision = decode(rest.substring(0, Math.max(0, slash)));
            String file = decode(rest.substring(slash + 1));
            if (renamed.containsKey(repoId)) {
                exchange.getResponseHeaders().set("Location", "/" + renamed.get(repoId) + "/resolve/" + rest);
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            Repo repo = repos.get(repoId);
            if (repo == null) {
                error(exchange, 404, "RepoNotFound");
                return;
            }
            if (repo.token != null) {
                Optional<String> auth = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"));
                if (auth.isEmpty()) {
                    error(exchange, 401, "RepoNotFound");
                    return;
                }
                if (!auth.get().equals("Bearer " + repo.token)) {
                    exchange.getResponseHeaders().set("X-Error-Message", "Invalid credentials in Authorization header");
                    error(exchange, 401, null);
                    return;
                }
            }
            if (repo.gated) {
                error(exchange, 403, "GatedRepo");
                return;
            }
            if (!revision.equals(repo.commit) && !repo.revisions.containsKey(revision)) {
                error(exchange, 404, "RevisionNotFound");
                return;
            }
            Headers headers = exchange.getResponseHeaders();
            headers.set("X-Repo-Commit", repo.commit);
            byte[] content = repo.files.get(file);
            if (content == null) {
                error(exchange, 404, "EntryNotFound");
                return;
            }
            if (isLfs(file, content)) {
                String sha = sha256(content);
                blobs.put(sha, content);
                headers.set("ETag", "\"" + gitBlobId(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha
                        + "\nsize " + content.length + "\n").getBytes(StandardCharsets.UTF_8)) + "\"");
                headers.set("X-Linked-Etag", "\"" + sha + "\"");
                headers.set("X-Linked-Size", Long.toString(content.length));
                headers.set("Location", cdnOrigin() + "/repos/ab/cd/" + sha + "?X-Amz-Signature=not-a-secret");
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            headers.set("ETag", "\"" + gitBlobId(content) + "\"");
            if (method.equals("HEAD")) {
                headers.set("Content-Length", Long.toString(content.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, content.length == 0 ? -1 : content.length);
            exchange.getResponseBody().write(content);
        }
    }

    private void serveCdn(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            requests.add(new Request("cdn", exchange.getRequestMethod(), path, exchange.getRequestHeaders()));
            byte[] content = blobs.get(path.substring(path.lastIndexOf('/') + 1));
            if (content == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Fault fault;
            synchronized (this) {
                fault = faults.poll();
            }
            if (fault instanceof Fault.Status(int code)) {
                exchange.sendResponseHeaders(code, -1);
                return;
            }
            long start = 0;
            String range = exchange.getRequestHeaders().getFirst("Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches() && !(fault instanceof Fault.IgnoreRange)) {
                start = Long.parseLong(m.group(1));
                if (start >= content.length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
                exchange.sendResponseHeaders(206, content.length - start);
            } else {
                exchange.sendResponseHeaders(200, content.length);
            }
            byte[] body = content;
            if (fault instanceof Fault.Corrupt) {
                body = content.clone();
                body[body.length / 2] ^= 0x55;
            }
            OutputStream out = exchange.getResponseBody();
            switch (fault) {
                case Fault.CutAfter(long bytes) -> {
                    out.write(body, (int) start, (int) Math.min(bytes, body.length - start));
                    out.flush();
                    return;
                }
                case Fault.Stall(Duration duration) -> {
                    out.write(body, (int) start, 1000);
                    out.flush();
                    sleep(duration);
                    return;
                }
                case null, default -> {
                    for (int at = (int) start; at < body.length; at += CHUNK) {
                        out.write(body, at, Math.min(CHUNK, body.length - at));
                    }
                }
            }
        }
    }

    private static void error(HttpExchange exchange, int status, String code) throws IOException {
        if (code != null) {
            exchange.getResponseHeaders().set("X-Error-Code", code);
        }
        exchange.sendResponseHeaders(status, -1);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Serves {@code testdata/models/tiny-b} (config.json, model.safetensors; no tokenizer files) as the repo named
     * by the first argument (default {@code test-org/tiny-gpt2}) until killed, and prints the endpoint to use:
     * <pre>
     * java --add-modules jdk.httpserver -cp gpt2-hub/target/classes:gpt2-hub/target/test-classes:... \
     *     dev.gpt2.hub.FakeHub test-org/tiny-gpt2
     * </pre>
     */
    static void main(String[] args) throws Exception {
        String repoId = args.length > 0 ? args[0] : "test-org/tiny-gpt2";
        Path model = Path.of(System.getProperty("gpt2.testdata", "testdata")).resolve("models/tiny-b");
        FakeHub server = new FakeHub();
        server.repo(repoId).file("config.json", model.resolve("config.json"))
                .file("model.safetensors", model.resolve("model.safetensors"));
        System.out.println("HF_ENDPOINT=" + server.endpoint() + " serves " + repoId + " from " + model.toAbsolutePath());
        System.out.flush();
        Thread.currentThread().join();
    }
}
