package dev.gpt2.backend.openblas;

import dev.gpt2.backend.conformance.ModelConformance;

/** The model conformance suite on the OpenBLAS backend as users get it: selected by name through gpt2-core. */
class OpenBlasModelConformanceTest extends ModelConformance {
    @Override
    protected String backend() {
        return OpenBlasProvider.NAME;
    }
}
