package dev.gpt2.backend.reference;

import dev.gpt2.api.DType;
import dev.gpt2.api.spi.Backend;
import dev.gpt2.api.spi.BackendConfig;
import dev.gpt2.api.spi.BackendProvider;
import dev.gpt2.api.spi.Probe;

import java.util.EnumSet;
import java.util.Set;

/** Provides the naive {@link ReferenceBackend} under the name {@code reference}, at the lowest priority. */
public final class ReferenceProvider implements BackendProvider {
    /** The name tests select it by. */
    public static final String NAME = "reference";

    public ReferenceProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1000;
    }

    @Override
    public Probe probe() {
        return Probe.available("naive single-threaded Java with double accumulation (test oracle)", Set.of(),
                EnumSet.allOf(DType.class));
    }

    @Override
    public Backend open(BackendConfig config) {
        return new ReferenceBackend();
    }
}
