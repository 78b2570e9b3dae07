package dev.gpt2.backend.vector;

import dev.gpt2.api.Gpt2Exception;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Probe;

/** CONTRACT FOR THE SKELETON: the implementation replaces this class. */
public final class VectorProvider implements BackendProvider {
    public VectorProvider() {
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Probe probe() {
        return Probe.unavailable("skeleton");
    }

    @Override
    public Backend open(BackendConfig config) {
        throw new Gpt2Exception(Gpt2Exception.Kind.BACKEND_UNAVAILABLE, "skeleton");
    }
}
