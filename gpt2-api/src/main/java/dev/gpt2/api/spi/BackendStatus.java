package dev.gpt2.api.spi;

import java.util.Optional;

/**
 * One discovered backend and its probe, for listings and for selection.
 *
 * @param name     the provider's name; for a provider that failed to load, the class named in the error
 * @param priority its rank; {@link Integer#MIN_VALUE} for one that failed to load
 * @param probe    whether it can run here, and why not
 * @param provider the provider; empty when it failed to load
 */
public record BackendStatus(String name, int priority, Probe probe, Optional<BackendProvider> provider) {

    /** Whether it can be opened here: it loaded and its probe said so. */
    public boolean available() {
        return probe.available() && provider.isPresent();
    }

    /** "vector (priority 100): available: AMD EPYC ..." or "cuda (priority 300): unavailable: no CUDA driver ...". */
    public String describe() {
        return name + " (priority " + (priority == Integer.MIN_VALUE ? "-" : Integer.toString(priority)) + "): "
                + (available() ? "available: " + probe.device() : "unavailable: " + probe.reason());
    }
}
