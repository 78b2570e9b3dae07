package dev.gpt2.api.spi;

/**
 * The cheap entry point of a compute backend, found with {@link java.util.ServiceLoader}. A backend module declares
 * {@code provides dev.gpt2.api.spi.BackendProvider with ...} and exports nothing.
 *
 * <p>Creating a provider must be cheap and must not fail; {@link #probe()} checks the machine (native libraries,
 * devices) and {@link #open} creates the heavy {@link Backend}.
 */
public interface BackendProvider {

    /** Lower-case name users select it by: {@code vector}, {@code openblas}, {@code cuda}. */
    String name();

    /**
     * Rank among available backends when the user names none: the highest wins. The values of the backends of this
     * project come from measurement (see the README): cuda 300, openblas 200 (90 when {@code OPENBLAS_CORETYPE}
     * holds it to narrower kernels than the CPU runs), vector 100. May look at the machine, as the probe does, but
     * must stay cheap and answer the same within a process.
     */
    int priority();

    /** Whether this backend can run here. Never throws: a failure to look is an unavailable probe with the reason. */
    Probe probe();

    /**
     * Opens the backend.
     *
     * @throws dev.gpt2.api.Gpt2Exception of kind {@code BACKEND_UNAVAILABLE} when it cannot run here
     */
    Backend open(BackendConfig config);
}
