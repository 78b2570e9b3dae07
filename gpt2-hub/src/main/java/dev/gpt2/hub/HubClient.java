package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hub's HTTP protocol, as huggingface_hub speaks it.
 *
 * <p>A file is looked up with {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}}: the answer carries the
 * commit ({@code X-Repo-Commit}), the blob name ({@code X-Linked-Etag}, else {@code ETag}), the size
 * ({@code X-Linked-Size}, else {@code Content-Length}) and, for large (LFS) files, a redirect to a CDN. Relative
 * redirects (a renamed repo) are followed; an absolute one is where the download comes from.
 *
 * <p>Redirects are followed here, never by {@link HttpClient} (whether it forwards {@code Authorization} to another
 * host has changed between JDK updates): the token goes to the endpoint's own origin (scheme, host, port) only.
 */
final class HubClient {
    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "gpt2-java/0.1.0; java/" + Runtime.version().feature();
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final System.Logger LOG = System.getLogger(HubClient.class.getName());

    /** What the Hub says about one file. */
    record FileMetadata(String commit, String etag, long size, URI location) {
    }

    /** The answer to a look-up: the file, or its absence (with the commit the Hub checked, when it says). */
    sealed interface Lookup {
        record Found(FileMetadata metadata) implements Lookup {
        }

        record Missing(Optional<String> commit) implements Lookup {
        }
    }

    /**
     * A response body being received; {@code start} is the offset of its first byte in the file (0 when the server
     * ignored a range request and sends everything).
     */
    record Transfer(InputStream body, long start, OptionalLong length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A failure worth retrying: the connection broke or the server is briefly unavailable. */
    static final class TransientException extends IOException {
        private static final long serialVersionUID = 1L;

        TransientException(String message) {
            super(message);
        }
    }

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.metadataTimeout())
                .build();
    }

    URI endpoint() {
        return settings.endpoint();
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{file}}, the revision and file name percent-encoded. */
    URI fileUrl(RepoId repo, String revision, String file) {
        return URI.create(settings.endpoint() + "/" + repo.id() + "/resolve/" + RepoPaths.encodeSegment(revision)
                + "/" + RepoPaths.encodePath(file));
    }

    /** Looks a file up (HEAD), following relative redirects only. */
    Lookup lookUp(RepoId repo, String revision, String file) {
        URI url = fileUrl(repo, revision, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = request(url)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity")
                    .timeout(settings.metadataTimeout());
            HttpResponse<Void> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                throw unreachable(repo, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Gpt2Exception(Gpt2Exception.Kind.IO, "interrupted while looking up " + repo + "/" + file, e);
            }
            int status = response.statusCode();
            HttpHeaders headers = response.headers();
            Optional<String> location = headers.firstValue("Location");
            if (status / 100 == 3 && location.isPresent() && isRelative(location.get())) {
                url = resolve(url, location.get());
                continue;
            }
            if (status == 404 && headers.firstValue("X-Error-Code").map("EntryNotFound"::equals).orElse(true)) {
                return new Lookup.Missing(headers.firstValue("X-Repo-Commit").filter(RepoPaths::isCommitHash));
            }
            if (status / 100 != 2 && status / 100 != 3) {
                throw httpError(status, headers, url, repo, revision);
            }
            String where = describe(url);
            String commit = RepoPaths.checkCommit(headers.firstValue("X-Repo-Commit").orElse(null), where);
            String etag = RepoPaths.checkEtag(
                    headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag")).orElse(null), where);
            long size = headers.firstValue("X-Linked-Size").or(() -> headers.firstValue("Content-Length"))
                    .map(HubClient::parseSize).orElse(-1L);
            if (size < 0) {
                throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the server's answer for " + where
                        + " has no valid X-Linked-Size or Content-Length: is HF_ENDPOINT a Hugging Face Hub?");
            }
            URI download = status / 100 == 3 && location.isPresent() ? resolve(url, location.get()) : url;
            return new Lookup.Found(new FileMetadata(commit, etag, size, download));
        }
        throw new Gpt2Exception(Gpt2Exception.Kind.IO, "more than " + MAX_REDIRECTS + " redirects looking up "
                + describe(fileUrl(repo, revision, file)) + ": check HF_ENDPOINT");
    }

    /**
     * Starts receiving a file from {@code offset} (GET with {@code Range}), following redirects.
     *
     * @throws TransientException for a broken connection or a server error worth retrying
     * @throws Gpt2Exception      for an answer that retrying will not change
     */
    Transfer open(URI location, long offset, RepoId repo, String file) throws IOException {
        URI url = location;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = request(url).GET().timeout(settings.downloadTimeout());
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Gpt2Exception(Gpt2Exception.Kind.IO, "interrupted while downloading " + repo + "/" + file, e);
            } catch (IOException e) {
                throw new TransientException(describe(url) + ": " + e);
            }
            int status = response.statusCode();
            HttpHeaders headers = response.headers();
            if (status == 200) {
                return new Transfer(response.body(), 0, headers.firstValueAsLong("Content-Length"));
            }
            if (status == 206) {
                return partial(response, offset, url);
            }
            response.body().close();
            Optional<String> redirect = headers.firstValue("Location");
            if (status / 100 == 3 && redirect.isPresent()) {
                URI next = resolve(url, redirect.get());
                if ("https".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                    throw new Gpt2Exception(Gpt2Exception.Kind.IO, "refusing a redirect from https to "
                            + describe(next) + " while downloading " + repo + "/" + file);
                }
                url = next;
                continue;
            }
            if (status == 429 || status >= 500) {
                throw new TransientException(describe(url) + " answered HTTP " + status);
            }
            throw httpError(status, headers, url, repo, null);
        }
        throw new Gpt2Exception(Gpt2Exception.Kind.IO, "more than " + MAX_REDIRECTS + " redirects downloading "
                + repo + "/" + file + " from " + describe(location));
    }

    private Transfer partial(HttpResponse<InputStream> response, long offset, URI url) throws IOException {
        String range = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(range.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
            response.body().close();
            throw new TransientException(describe(url) + " answered a request for bytes from " + offset
                    + " with Content-Range '" + range + "'");
        }
        long length = Long.parseLong(m.group(2)) - offset + 1;
        return new Transfer(response.body(), offset, OptionalLong.of(length));
    }

    /** A request with our User-Agent, and the token when the URL is on the endpoint's own origin. */
    private HttpRequest.Builder request(URI url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).header("User-Agent", USER_AGENT);
        if (sameOrigin(url, settings.endpoint())) {
            settings.token().ifPresent(token -> request.header("Authorization", token.authorization()));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "no token sent to {0}: not the Hub''s origin", describe(url));
        }
        return request;
    }

    /** The one-line error for an HTTP error answer, with what to do. */
    private Gpt2Exception httpError(int status, HttpHeaders headers, URI url, RepoId repo, String revision) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String endpoint = settings.endpoint().toString();
        boolean hasToken = settings.token().isPresent();
        if (code.equals("RevisionNotFound")) {
            return new Gpt2Exception(Gpt2Exception.Kind.NOT_FOUND, "revision '" + revision + "' not found in " + repo
                    + " on " + endpoint + " (HTTP " + status + "): check --revision (a branch, tag or commit hash)");
        }
        if (code.equals("GatedRepo") || (status == 403 && !code.equals("RepoNotFound"))) {
            return new Gpt2Exception(Gpt2Exception.Kind.IO, repo + " on " + endpoint + " is gated or restricted (HTTP "
                    + status + "): accept its terms at " + endpoint + "/" + repo + " and "
                    + (hasToken ? "check that HF_TOKEN belongs to an account with access"
                    : "set HF_TOKEN to an access token of that account"));
        }
        if (status == 401 && hasToken && !code.equals("RepoNotFound")) {
            return new Gpt2Exception(Gpt2Exception.Kind.IO, endpoint + " refused HF_TOKEN for " + repo
                    + " (HTTP 401): check that the token is valid and can read the repo");
        }
        if (code.equals("RepoNotFound") || status == 401 || status == 404) {
            return new Gpt2Exception(Gpt2Exception.Kind.NOT_FOUND, "model " + repo + " not found on " + endpoint
                    + " (HTTP " + status + "): check the name (e.g. openai-community/gpt2); for a private or gated repo "
                    + (hasToken ? "check that HF_TOKEN can read it" : "set HF_TOKEN to an access token that can read it"));
        }
        if (status == 429 || status >= 500) {
            return new Gpt2Exception(Gpt2Exception.Kind.IO, describe(url) + " answered HTTP " + status
                    + ": the Hub is busy or down, try again later");
        }
        return new Gpt2Exception(Gpt2Exception.Kind.IO, describe(url) + " answered HTTP " + status
                + headers.firstValue("X-Error-Message").map(m -> " (" + RepoPaths.printable(m) + ")").orElse("")
                + ": check HF_ENDPOINT and the model name");
    }

    private Gpt2Exception unreachable(RepoId repo, IOException e) {
        return new Gpt2Exception(Gpt2Exception.Kind.IO, "cannot reach " + settings.endpoint() + " to download " + repo
                + " (" + e + "): check the network and HF_ENDPOINT, or use a model already in the cache", e);
    }

    /** A URL for messages: without its query, which for a CDN holds a signature. */
    static String describe(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority() + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme().toLowerCase(Locale.ROOT)) ? 443 : 80;
    }

    /** A {@code Location} without scheme or host: a move within the Hub (a renamed repo). */
    private static boolean isRelative(String location) {
        return location.startsWith("/") && !location.startsWith("//");
    }

    /** The target of a redirect; only http(s) targets are followed. */
    private static URI resolve(URI base, String location) {
        try {
            URI target = base.resolve(location.strip());
            String scheme = target.getScheme();
            if (target.getHost() != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
                return target;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new Gpt2Exception(Gpt2Exception.Kind.IO, describe(base) + " redirected to an invalid location '"
                + RepoPaths.printable(location) + "': check HF_ENDPOINT");
    }

    private static long parseSize(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
