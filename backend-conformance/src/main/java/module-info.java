/**
 * The conformance suite of compute backends: abstract JUnit 5 test classes that a backend module subclasses at test
 * scope, naming the backend to test. See {@link dev.gpt2.backend.conformance.KernelConformance}.
 */
module dev.gpt2.backend.conformance {
    requires transitive dev.gpt2.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires dev.gpt2.backend.reference;

    exports dev.gpt2.backend.conformance;
    opens dev.gpt2.backend.conformance to org.junit.platform.commons;
}
