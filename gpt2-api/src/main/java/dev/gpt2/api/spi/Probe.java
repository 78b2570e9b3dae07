package dev.gpt2.api.spi;

import dev.gpt2.api.DType;

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
 * @param capabilities what it can do beyond the common kernels
 * @param weightTypes  the dtypes it can hold weights in
 */
public record Probe(boolean available, String reason, String device, Set<Capability> capabilities,
                    Set<DType> weightTypes) {

    public Probe {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(device, "device");
        capabilities = Set.copyOf(capabilities);
        weightTypes = Set.copyOf(weightTypes);
    }

    public static Probe available(String device, Set<Capability> capabilities, Set<DType> weightTypes) {
        return new Probe(true, "", device, capabilities, weightTypes);
    }

    public static Probe unavailable(String reason) {
        return new Probe(false, reason, "", Set.of(), Set.of());
    }
}
