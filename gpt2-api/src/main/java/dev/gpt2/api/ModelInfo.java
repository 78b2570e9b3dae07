package dev.gpt2.api;

/**
 * What was loaded and where it computes.
 *
 * @param source      the model argument as resolved: a folder, a file or {@code random:SIZE}
 * @param config      the model's shape
 * @param storedDType the dtype of the weights in the checkpoint
 * @param dtype       the dtype the backend holds the weights in
 * @param backend     the name of the backend that computes
 * @param device      the backend's description of where it computes (CPU model and threads, GPU name)
 */
public record ModelInfo(String source, ModelConfig config, DType storedDType, DType dtype, String backend,
                        String device) {
}
