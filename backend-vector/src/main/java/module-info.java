/**
 * The pure-Java compute backend on the Vector API; available on every machine.
 *
 * @provides dev.gpt2.api.spi.BackendProvider the "vector" backend
 */
module dev.gpt2.backend.vector {
    requires dev.gpt2.api;
    requires jdk.incubator.vector;

    provides dev.gpt2.api.spi.BackendProvider with dev.gpt2.backend.vector.VectorProvider;
}
