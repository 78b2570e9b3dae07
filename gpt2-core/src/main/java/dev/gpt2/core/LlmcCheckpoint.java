package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightView;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Reads the GPT-2 checkpoint of karpathy/llm.c ({@code gpt2_124M.bin}, {@code gpt2_124M_bf16.bin}).
 *
 * <p>Layout: a header of 256 little-endian int32 (magic 20240326; version 3 for fp32 or 5 for bf16; max_seq_len;
 * vocab_size; num_layers; num_heads; channels; padded_vocab_size), then the 16 parameter tensors back to back, each
 * holding all layers: wte [Vp, C], wpe [maxT, C], ln1w, ln1b [L, C], qkvw [L, 3C, C], qkvb [L, 3C],
 * attprojw [L, C, C], attprojb [L, C], ln2w, ln2b [L, C], fcw [L, 4C, C], fcb [L, 4C], fcprojw [L, C, 4C],
 * fcprojb [L, C], lnfw, lnfb [C]. The matmul weights are PyTorch's [out, in]; they are transposed at load (a copy
 * off-heap) to the [in, out] layout of Hugging Face's Conv1D. The rows of wte past vocab_size are padding and unused.
 */
final class LlmcCheckpoint {
    static final int MAGIC = 20240326;
    static final int HEADER_INTS = 256;
    static final int VERSION_F32 = 3;
    static final int VERSION_BF16 = 5;

    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LlmcCheckpoint() {
    }

    /** Whether {@code file} starts with llm.c's magic number. */
    static boolean hasMagic(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && channel.read(head) > 0) {
                continue;
            }
            return !head.hasRemaining() && head.getInt(0) == MAGIC;
        } catch (IOException e) {
            throw Errors.io(file, e);
        }
    }

    /** Opens an llm.c checkpoint that exists. */
    static Checkpoint open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return read(file, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Checkpoint read(Path file, Arena arena) {
        MemorySegment all;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_INTS * 4L) {
                throw Errors.invalidModel(file + (size == 0 ? " is empty (0 bytes)" : " is truncated: " + size
                        + " bytes") + "; an llm.c checkpoint starts with a header of 256 int32 (1024 bytes)");
            }
            all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw Errors.io(file, e);
        }
        int[] h = new int[8];
        for (int i = 0; i < h.length; i++) {
            h[i] = all.getAtIndex(I32_LE, i);
        }
        if (h[0] != MAGIC) {
            throw Errors.invalidModel(file + " is not an llm.c checkpoint: its magic number is " + h[0] + ", not "
                    + MAGIC + " (PyTorch's .bin files are not read: use the model's safetensors)");
        }
        int version = h[1];
        if (version != VERSION_F32 && version != VERSION_BF16) {
            throw Errors.invalidModel(file + " has llm.c version " + version + "; this library reads versions 3 (fp32)"
                    + " and 5 (bf16): re-export it with llm.c's train_gpt2.py");
        }
        int maxT = h[2];
        int vocab = h[3];
        int layers = h[4];
        int heads = h[5];
        int channels = h[6];
        int paddedVocab = h[7];
        ModelConfig config;
        try {
            config = new ModelConfig(layers, channels, heads, maxT, vocab, 4 * channels, 1e-5f);
        } catch (IllegalArgumentException e) {
            throw Errors.invalidModel(file + ": the llm.c header is not a GPT-2 shape: " + e.getMessage());
        }
        if (paddedVocab < vocab) {
            throw Errors.invalidModel(file + ": padded_vocab_size " + paddedVocab + " is less than vocab_size " + vocab);
        }
        DType dtype = version == VERSION_F32 ? DType.F32 : DType.BF16;
        Layout layout = new Layout(config, paddedVocab, dtype.bits() / 8);
        long expected = HEADER_INTS * 4L + layout.totalBytes();
        if (all.byteSize() != expected) {
            throw Errors.invalidModel(file + (all.byteSize() < expected ? " is truncated" : " has extra bytes")
                    + ": its header (" + TensorLayout.describe(config) + ", padded vocab " + paddedVocab + ", "
                    + dtype + ") needs " + expected + " bytes, the file has " + all.byteSize());
        }
        MemorySegment params = all.asSlice(HEADER_INTS * 4L);
        return new Checkpoint(file.toString(), config, layout.weights(params, arena, dtype), dtype, Optional.empty(),
                arena);
    }

    /** Where each of llm.c's 16 parameter tensors starts, in bytes from the first parameter. */
    private record Layout(ModelConfig c, int paddedVocab, int bytes) {
        private long[] sizes() {
            long C = c.nEmbd();
            long L = c.nLayer();
            return new long[] {
                (long) paddedVocab * C, (long) c.nPositions() * C,  // wte, wpe
                L * C, L * C,                                       // ln1w, ln1b
                L * 3 * C * C, L * 3 * C,                           // qkvw, qkvb
                L * C * C, L * C,                                   // attprojw, attprojb
                L * C, L * C,                                       // ln2w, ln2b
                L * 4 * C * C, L * 4 * C,                           // fcw, fcb
                L * C * 4 * C, L * C,                               // fcprojw, fcprojb
                C, C                                                // lnfw, lnfb
            };
        }

        long totalBytes() {
            long total = 0;
            for (long s : sizes()) {
                total += s * bytes;
            }
            return total;
        }

        /** Views in Hugging Face's names and layout; the matmul weights are transposed into {@code arena}. */
        Map<String, WeightView> weights(MemorySegment params, Arena arena, DType dtype) {
            long[] sizes = sizes();
            long[] at = new long[sizes.length];
            for (int i = 1; i < sizes.length; i++) {
                at[i] = at[i - 1] + sizes[i - 1] * bytes;
            }
            int C = c.nEmbd();
            int L = c.nLayer();
            long matmulBytes = (sizes[4] + sizes[6] + sizes[10] + sizes[12]) * bytes;
            MemorySegment transposed = arena.allocate(matmulBytes, 64);
            // per layer, the four transposed matmul weights lie one after another
            long perLayer = matmulBytes / L;
            IntStream.range(0, L).parallel().forEach(l -> {
                MemorySegment out = transposed.asSlice(l * perLayer, perLayer);
                long o = 0;
                o += transpose(out, o, params, at[4] + (long) l * 3 * C * C * bytes, 3 * C, C);
                o += transpose(out, o, params, at[6] + (long) l * C * C * bytes, C, C);
                o += transpose(out, o, params, at[10] + (long) l * 4 * C * C * bytes, 4 * C, C);
                transpose(out, o, params, at[12] + (long) l * 4 * C * C * bytes, C, 4 * C);
            });
            Map<String, WeightView> w = new LinkedHashMap<>();
            w.put("wte.weight", view("wte.weight", dtype, c.vocabSize(), C, params, at[0]));
            w.put("wpe.weight", view("wpe.weight", dtype, c.nPositions(), C, params, at[1]));
            for (int l = 0; l < L; l++) {
                String h = "h." + l + ".";
                MemorySegment t = transposed.asSlice(l * perLayer, perLayer);
                long sq = (long) C * C * bytes;
                w.put(h + "ln_1.weight", view(h + "ln_1.weight", dtype, 1, C, params, at[2] + (long) l * C * bytes));
                w.put(h + "ln_1.bias", view(h + "ln_1.bias", dtype, 1, C, params, at[3] + (long) l * C * bytes));
                w.put(h + "attn.c_attn.weight", view(h + "attn.c_attn.weight", dtype, C, 3 * C, t, 0));
                w.put(h + "attn.c_attn.bias",
                        view(h + "attn.c_attn.bias", dtype, 1, 3 * C, params, at[5] + (long) l * 3 * C * bytes));
                w.put(h + "attn.c_proj.weight", view(h + "attn.c_proj.weight", dtype, C, C, t, 3 * sq));
                w.put(h + "attn.c_proj.bias",
                        view(h + "attn.c_proj.bias", dtype, 1, C, params, at[7] + (long) l * C * bytes));
                w.put(h + "ln_2.weight", view(h + "ln_2.weight", dtype, 1, C, params, at[8] + (long) l * C * bytes));
                w.put(h + "ln_2.bias", view(h + "ln_2.bias", dtype, 1, C, params, at[9] + (long) l * C * bytes));
                w.put(h + "mlp.c_fc.weight", view(h + "mlp.c_fc.weight", dtype, C, 4 * C, t, 4 * sq));
                w.put(h + "mlp.c_fc.bias",
                        view(h + "mlp.c_fc.bias", dtype, 1, 4 * C, params, at[11] + (long) l * 4 * C * bytes));
                w.put(h + "mlp.c_proj.weight", view(h + "mlp.c_proj.weight", dtype, 4 * C, C, t, 8 * sq));
                w.put(h + "mlp.c_proj.bias",
                        view(h + "mlp.c_proj.bias", dtype, 1, C, params, at[13] + (long) l * C * bytes));
            }
            w.put("ln_f.weight", view("ln_f.weight", dtype, 1, C, params, at[14]));
            w.put("ln_f.bias", view("ln_f.bias", dtype, 1, C, params, at[15]));
            return w;
        }

        private WeightView view(String name, DType dtype, int rows, int cols, MemorySegment from, long offset) {
            return new WeightView(name, dtype, rows, cols, from.asSlice(offset, (long) rows * cols * bytes));
        }

        /**
         * Writes the transpose of the [rows, cols] matrix at {@code src + srcOffset} to {@code dst + dstOffset} as
         * [cols, rows]; returns the bytes written.
         */
        private long transpose(MemorySegment dst, long dstOffset, MemorySegment src, long srcOffset, int rows,
                               int cols) {
            final int tile = 32;
            for (int r0 = 0; r0 < rows; r0 += tile) {
                for (int c0 = 0; c0 < cols; c0 += tile) {
                    for (int r = r0; r < Math.min(r0 + tile, rows); r++) {
                        for (int col = c0; col < Math.min(c0 + tile, cols); col++) {
                            long from = srcOffset + ((long) r * cols + col) * bytes;
                            long to = dstOffset + ((long) col * rows + r) * bytes;
                            if (bytes == 4) {
                                dst.set(ValueLayout.JAVA_INT_UNALIGNED, to, src.get(ValueLayout.JAVA_INT_UNALIGNED, from));
                            } else {
                                dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, to,
                                        src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                            }
                        }
                    }
                }
            }
            return (long) rows * cols * bytes;
        }
    }
}
