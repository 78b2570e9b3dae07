package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a backend can run here, and if not, why.
 *
 * @param available    whether {@link BackendProvider#open} is expected to work
 * @param reason       for an unavailable backend, a human reason naming what was looked for ("no CUDA driver:
 *                     libcuda.so.1 not found in LD_LIBRARY_PATH, /usr/lib/x86_64-linux-gnu"); empty when available
 * @param device       where it computes ("AMD EPYC 9R14, 2 threads, AVX-512", "NVIDIA H100 80GB HBM3"); empty when
 *                     unavailable
 * @param capabilities what it can do beyond the common kernels (held, and iterated, in declaration order)
 * @param weightTypes  the dtypes it can hold weights in (held, and iterated, in declaration order: f32 first)
 */
public record Probe(boolean available, String reason, String device, Set<Capability> capabilities,
                    Set<DType> weightTypes) {

    /** Checks the texts and copies the sets in declaration order. */
    public Probe {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(device, "device");
        capabilities = inOrder(capabilities, Capability.class);
        weightTypes = inOrder(weightTypes, DType.class);
    }

    /** An unmodifiable copy that lists the constants in declaration order (Set.copyOf's order changes per run). */
    private static <E extends Enum<E>> Set<E> inOrder(Set<E> values, Class<E> type) {
        EnumSet<E> copy = EnumSet.noneOf(type);
        copy.addAll(values);
        return Collections.unmodifiableSet(copy);
    }

    /** The backend can run here, on {@code device}. */
    public static Probe available(String device, Set<Capability> capabilities, Set<DType> weightTypes) {
        return new Probe(true, "", device, capabilities, weightTypes);
    }

    /** The backend cannot run here, and why (one line a user can act on). */
    public static Probe unavailable(String reason) {
        return new Probe(false, reason, "", Set.of(), Set.of());
    }
}
