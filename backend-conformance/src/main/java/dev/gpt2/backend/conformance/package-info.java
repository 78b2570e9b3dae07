/**
 * The conformance suite every compute backend runs: {@link dev.gpt2.backend.conformance.KernelConformance} tests each
 * kernel against the reference backend (tolerances in its documentation).
 *
 * <p>Model-level conformance (every checkpoint in {@code testdata/models} scored and generated through gpt2-core,
 * against the numpy references in {@code cases.json}) belongs in this package as a second abstract class,
 * {@code ModelConformance}, subclassed the same way; it comes with gpt2-core's loading API, and this module will then
 * depend on gpt2-core.
 */
package dev.gpt2.backend.conformance;
