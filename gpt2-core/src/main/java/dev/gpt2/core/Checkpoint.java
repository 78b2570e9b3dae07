package dev.gpt2.core;

import dev.gpt2.api.DType;
import dev.gpt2.api.ModelConfig;
import dev.gpt2.api.spi.WeightView;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint ready to upload: its shape, every weight as host bytes in Hugging Face's layout ([in, out] matmul
 * weights) by name without prefix, checked against the shape, and the memory those bytes live in (a file mapping or an
 * allocation), which stays open until the model is closed.
 *
 * @param source          the model argument as resolved, for {@link dev.gpt2.api.ModelInfo}
 * @param config          the model's shape
 * @param weights         every tensor of {@link TensorLayout#of(ModelConfig)}, in that order
 * @param storedDType     the dtype of the embedding as stored (what "as stored" means when no dtype is asked for)
 * @param tokenizerFolder a folder holding vocab.json and merges.txt, if the checkpoint comes with one
 * @param arena           owns the bytes of the weights
 */
record Checkpoint(String source, ModelConfig config, Map<String, WeightView> weights, DType storedDType,
                  Optional<Path> tokenizerFolder, Arena arena) implements AutoCloseable {

    /** Unmaps or frees the weights' bytes. */
    @Override
    public void close() {
        arena.close();
    }
}
