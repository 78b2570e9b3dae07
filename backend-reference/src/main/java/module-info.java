/**
 * The naive reference backend: every kernel written the plainest way, accumulating in double. The oracle of the
 * conformance suite and the backend of gpt2-core's own tests. A test dependency only: never put it on a user's
 * module path.
 *
 * @provides dev.gpt2.api.spi.BackendProvider the "reference" backend (lowest priority)
 */
module dev.gpt2.backend.reference {
    requires transitive dev.gpt2.api;

    exports dev.gpt2.backend.reference;

    provides dev.gpt2.api.spi.BackendProvider with dev.gpt2.backend.reference.ReferenceProvider;
}
