package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.ModelSize;
import dev.gpt2.api.spi.WeightFormats;
import dev.gpt2.api.spi.WeightRole;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;

/**
 * {@code random:124M|355M|774M|1558M}: seeded random weights of a released GPT-2 shape, made in memory for
 * benchmarks, as GPT-2 is initialised: matrices and embeddings about N(0, 0.02) (the residual projections scaled by
 * 1/sqrt(2 n_layer)), biases about N(0, 0.002), layer-norm weights 1 and biases 0.
 *
 * <p>Every value is a function of (seed, tensor, index) alone (a counter-based generator), so the weights are the same
 * however many threads write them; they are written in parallel straight into off-heap memory.
 */
final class RandomCheckpoint {
    static final String PREFIX = "random:";

    private static final long BLOCK = 1 << 20;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private RandomCheckpoint() {
    }

    static boolean isRandom(String model) {
        return model.toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    /**
     * Makes the weights of {@code random:SIZE}.
     *
     * @param dtype F16 or BF16 to make them in that type (half the memory); anything else makes F32
     */
    static Checkpoint open(String model, long seed, Optional<DType> dtype) {
        String size = model.substring(PREFIX.length());
        ModelSize modelSize;
        try {
            modelSize = ModelSize.parse(size);
        } catch (IllegalArgumentException e) {
            throw Errors.notFound("unknown model '" + model + "': random models are random:124M, random:355M,"
                    + " random:774M and random:1558M");
        }
        return make(modelSize.config(), PREFIX + modelSize.label(), seed, dtype);
    }

    /** Makes random weights of any shape ({@code source} names them). */
    static Checkpoint make(ModelConfig config, String source, long seed, Optional<DType> dtype) {
        DType stored = dtype.filter(d -> d == DType.F16 || d == DType.BF16).orElse(DType.F32);
        List<TensorLayout.Spec> specs = TensorLayout.of(config);
        long total = 0;
        for (TensorLayout.Spec s : specs) {
            total += bytes(s, stored);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment all = arena.allocate(total, 64);
            Map<String, WeightView> weights = new LinkedHashMap<>();
            long offset = 0;
            for (int t = 0; t < specs.size(); t++) {
                TensorLayout.Spec spec = specs.get(t);
                DType type = spec.role() == WeightRole.VECTOR ? DType.F32 : stored;
                MemorySegment data = all.asSlice(offset, bytes(spec, stored));
                fill(data, type, spec, config, SplitMix64.mix(seed ^ SplitMix64.mix(t + 1)));
                weights.put(spec.name(), new WeightView(spec.name(), type, spec.rows(), spec.cols(), data));
                offset += data.byteSize();
            }
            return new Checkpoint(source, config, weights, stored, Optional.empty(), arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static long bytes(TensorLayout.Spec s, DType stored) {
        long n = (long) s.rows() * s.cols();
        return s.role() == WeightRole.VECTOR ? 4 * n : n * stored.bits() / 8;
    }

    private static void fill(MemorySegment data, DType type, TensorLayout.Spec spec, ModelConfig c, long key) {
        String name = spec.name();
        double std;
        double mean = 0;
        if (name.contains("ln_")) {
            std = 0;
            mean = name.endsWith(".weight") ? 1 : 0;
        } else if (spec.role() == WeightRole.VECTOR) {
            std = 0.002;
        } else if (name.endsWith("c_proj.weight")) {
            std = 0.02 / Math.sqrt(2.0 * c.nLayer());
        } else {
            std = 0.02;
        }
        long n = (long) spec.rows() * spec.cols();
        // the sum of four uniforms in [0, 1) has mean 2 and variance 1/3: scale it to the wanted deviation
        float scale = (float) (std / Math.sqrt(1.0 / 3));
        float offset = (float) mean;
        LongStream.range(0, (n + BLOCK - 1) / BLOCK).parallel().forEach(b -> {
            long first = b * BLOCK;
            int count = (int) Math.min(BLOCK, n - first);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                long r = SplitMix64.mix(key + (first + i) * SplitMix64.GOLDEN_GAMMA);
                int sum = (int) (r & 0xffff) + (int) ((r >>> 16) & 0xffff) + (int) ((r >>> 32) & 0xffff)
                        + (int) (r >>> 48);
                values[i] = offset + scale * (sum * 0x1p-16f - 2f);
            }
            store(values, data, type, first);
        });
    }

    /** Writes {@code values} as {@code type} at element {@code first} of {@code data}. */
    private static void store(float[] values, MemorySegment data, DType type, long first) {
        switch (type) {
            case F32 -> MemorySegment.copy(values, 0, data, F32, first * 4, values.length);
            case F16, BF16 -> {
                short[] half = new short[values.length];
                for (int i = 0; i < half.length; i++) {
                    half[i] = type == DType.F16 ? WeightFormats.floatToF16(values[i])
                            : WeightFormats.floatToBf16(values[i]);
                }
                MemorySegment.copy(half, 0, data, I16, first * 2, half.length);
            }
            case Q8_0 -> throw new IllegalArgumentException("random weights are made as F32, F16 or BF16");
        }
    }
}
