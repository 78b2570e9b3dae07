/**
 * The conformance suite of compute backends: abstract JUnit 5 test classes that a backend module subclasses at test
 * scope, naming the backend to test. {@link dev.gpt2.backend.conformance.KernelConformance} checks each kernel
 * against the reference backend; {@link dev.gpt2.backend.conformance.ModelConformance} checks whole models, loaded
 * through gpt2-core, against the reference checkpoints of {@code testdata/models}.
 */
module dev.gpt2.backend.conformance {
    requires transitive dev.gpt2.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires dev.gpt2.backend.reference;
    requires dev.gpt2.core;
    requires tools.jackson.jr.ob;

    exports dev.gpt2.backend.conformance;
    opens dev.gpt2.backend.conformance to org.junit.platform.commons;
}
