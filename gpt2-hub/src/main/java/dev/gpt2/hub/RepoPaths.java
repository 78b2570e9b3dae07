package dev.gpt2.hub;

import dev.gpt2.api.Gpt2Exception;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Checks of the names that come from outside (a repo's file names, a revision, the server's commit and ETag
 * headers) before they become paths in the cache, and their encoding in URLs.
 */
final class RepoPaths {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A blob name: the ETag, a git SHA-1 or a SHA-256 in practice; never a path. */
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Pattern REVISION_PART = Pattern.compile("[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*");
    private static final Pattern FILE_PART = Pattern.compile("[^/\\\\:\\x00-\\x1f\\x7f]+");
    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private RepoPaths() {
    }

    /** Whether a revision is a full commit hash, which names a snapshot folder directly. */
    static boolean isCommitHash(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** Whether an ETag is a SHA-256, which the content of an LFS file must have. */
    static boolean isSha256(String etag) {
        return SHA256.matcher(etag).matches();
    }

    /**
     * A file name from a repo (a shard named by an index, say) that stays inside the folder it is resolved
     * against: '/'-separated parts, none empty, {@code .} or {@code ..}, no backslash, colon or control character.
     *
     * @param source where the name came from, for the message
     */
    static String checkFileName(String name, String source) {
        boolean valid = name != null && !name.isEmpty() && !name.startsWith("/");
        if (valid) {
            for (String part : name.split("/", -1)) {
                if (part.equals(".") || part.equals("..") || !FILE_PART.matcher(part).matches()) {
                    valid = false;
                    break;
                }
            }
        }
        if (!valid) {
            throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_MODEL, "refusing the file name '" + printable(name)
                    + "' from " + source + ": it would escape the cache folder or is not a plain relative name");
        }
        return name;
    }

    /** A revision (branch, tag, {@code refs/pr/1} or commit) that is safe as a path under {@code refs/}. */
    static String checkRevision(String revision) {
        boolean valid = revision != null && !revision.isEmpty();
        if (valid) {
            for (String part : revision.split("/", -1)) {
                if (!REVISION_PART.matcher(part).matches()) {
                    valid = false;
                    break;
                }
            }
        }
        if (!valid) {
            throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_ARGUMENT, "not a revision: '" + printable(revision)
                    + "' (expected a branch, a tag or a commit hash, e.g. main)");
        }
        return revision;
    }

    /** The commit the server names in {@code X-Repo-Commit}, checked: it becomes a folder name. */
    static String checkCommit(String commit, String url) {
        if (commit == null || !COMMIT.matcher(commit).matches()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the server's answer for " + url + " has "
                    + (commit == null ? "no X-Repo-Commit header" : "an invalid X-Repo-Commit '" + printable(commit) + "'")
                    + ": is HF_ENDPOINT a Hugging Face Hub?");
        }
        return commit;
    }

    /** The ETag the server sends, without quotes or weak marker, checked: it becomes a blob's file name. */
    static String checkEtag(String rawEtag, String url) {
        String etag = rawEtag == null ? null : normalizeEtag(rawEtag);
        if (etag == null || !ETAG.matcher(etag).matches()) {
            throw new Gpt2Exception(Gpt2Exception.Kind.IO, "the server's answer for " + url + " has "
                    + (etag == null ? "no ETag" : "an invalid ETag '" + printable(etag) + "'")
                    + ": is HF_ENDPOINT a Hugging Face Hub?");
        }
        return etag;
    }

    /** {@code W/"abc"} and {@code "abc"} both become {@code abc}, as huggingface_hub does. */
    static String normalizeEtag(String etag) {
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** {@code base/relative}, checked to stay inside {@code base} after normalisation. */
    static Path inside(Path base, String relative, String source) {
        Path resolved = base.resolve(checkFileName(relative, source)).normalize();
        if (!resolved.startsWith(base.normalize()) || resolved.equals(base.normalize())) {
            throw new Gpt2Exception(Gpt2Exception.Kind.INVALID_MODEL, "refusing the file name '" + printable(relative)
                    + "' from " + source + ": it would escape the cache folder");
        }
        return resolved;
    }

    /** Percent-encoding of one URL path segment: everything but RFC 3986's unreserved characters. */
    static String encodeSegment(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (UNRESERVED.indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** A file name as a URL path: each part encoded, the '/' between them kept. */
    static String encodePath(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("/", -1)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(encodeSegment(part));
        }
        return sb.toString();
    }

    /** A value fit for a one-line message: control characters escaped, length capped. */
    static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        value.codePoints().limit(200).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return value.codePointCount(0, value.length()) > 200 ? sb + "…" : sb.toString();
    }
}
