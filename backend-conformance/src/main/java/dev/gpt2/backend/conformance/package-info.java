/**
 * The conformance suite every compute backend runs, two abstract JUnit 5 classes that a backend module subclasses at
 * test scope: {@link dev.gpt2.backend.conformance.KernelConformance} tests each kernel against the reference backend
 * over awkward shapes, and {@link dev.gpt2.backend.conformance.ModelConformance} tests whole models (every checkpoint
 * in {@code testdata/models}, loaded through gpt2-core in every weight dtype the backend advertises) against the
 * numbers of an independent numpy GPT-2 and against the backend's own full recomputation. Tolerances are in each
 * class's documentation.
 */
package dev.gpt2.backend.conformance;
