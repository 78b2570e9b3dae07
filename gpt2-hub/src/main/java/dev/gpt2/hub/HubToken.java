package dev.gpt2.hub;

import java.util.Optional;

/**
 * A Hugging Face access token ({@code HF_TOKEN}). It is sent as {@code Authorization: Bearer ...} to the Hub's own
 * host only, never to the host a download is redirected to, and it never appears in {@link #toString()}, in
 * messages or in logs.
 */
public final class HubToken {
    private final String secret;

    private HubToken(String secret) {
        this.secret = secret;
    }

    /** The token in {@code value}, trimmed; empty when the value is null or blank. */
    public static Optional<HubToken> of(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new HubToken(value.strip()));
    }

    /** The {@code Authorization} header value. Package-private: only the HTTP client sees the secret. */
    String authorization() {
        return "Bearer " + secret;
    }

    /** Never the token itself. */
    @Override
    public String toString() {
        return "HubToken[redacted]";
    }
}
