/**
 * The pure-Java compute backend on the Vector API ({@code jdk.incubator.vector}); available on every machine.
 *
 * <p>System properties (read when the JVM loads the kernels):
 * <ul>
 *   <li>{@code -Dgpt2.vector.bits=64|128|256|512} forces a vector width (at most the CPU's widest); unset, the CPU's
 *       widest ({@code FloatVector.SPECIES_PREFERRED});
 *   <li>{@code -Dgpt2.vector.bits=0} turns the Vector API off: plain Java loops.
 * </ul>
 * The thread count comes from the backend config ({@code BackendConfig.threads}; 0 means one per processor).
 *
 * <p>The package {@code dev.gpt2.backend.vector.cpu} (a complete CPU backend with a pluggable matmul engine) is
 * exported only to the OpenBLAS backend, which reuses everything but the big products.
 *
 * @provides dev.gpt2.api.spi.BackendProvider the "vector" backend (priority 100)
 */
module dev.gpt2.backend.vector {
    requires dev.gpt2.api;
    requires jdk.incubator.vector;

    exports dev.gpt2.backend.vector.cpu to dev.gpt2.backend.openblas;

    provides dev.gpt2.api.spi.BackendProvider with dev.gpt2.backend.vector.VectorProvider;
}
