package dev.gpt2.api;

import java.util.List;

/**
 * A loaded GPT-2: tokenizer, weights on a backend, generation and scoring.
 *
 * <p>Thread-safe: one model serves concurrent calls from several threads, each with its own KV cache. Close it to
 * free the backend's memory (off-heap or on the device); calls after {@link #close()} fail.
 *
 * <p>Every method throws {@link Gpt2Exception} for what a caller or a file can get wrong: ids outside the
 * vocabulary, a sequence past the context, a backend failure.
 */
public interface LanguageModel extends AutoCloseable {

    /** What was loaded and where it computes. */
    ModelInfo info();

    /** The model's shape. */
    default ModelConfig config() {
        return info().config();
    }

    /**
     * Encodes text with the model's tokenizer. {@code <|endoftext|>} in the text becomes its special id; everything
     * else is ordinary text.
     */
    int[] encode(String text);

    /** Decodes ids to text; incomplete or invalid UTF-8 becomes U+FFFD. */
    String decode(int[] ids);

    /** Runs one generation, streaming to the request's listener. */
    Generation generate(GenerationRequest request);

    /** Encodes the prompt and generates without streaming. */
    default Generation generate(String prompt, GenerationOptions options) {
        return generate(GenerationRequest.of(encode(prompt), options));
    }

    /**
     * Runs several generations together, batching their forward passes. On a backend with
     * {@link dev.gpt2.api.spi.Capability#BATCH_INVARIANT} (vector) each result is bit for bit what the request gives
     * alone (same tokens for the same seed); on others (openblas, cuda: a BLAS picks its blocking by the batch's
     * shape) the log-probabilities agree within rounding, so a token could differ only where two were tied to it.
     * Each request's cancellation stops only its own generation; an exception thrown by one request's listener ends
     * the whole call with that exception (the other requests' results are not returned).
     */
    List<Generation> generateBatch(List<GenerationRequest> requests);

    /** Scores a sequence of ids (see {@link ScoreOptions} for sequences longer than the context). */
    Score score(int[] ids, ScoreOptions options);

    /** Encodes and scores a text; the result carries the text's UTF-8 length for {@link Score#bitsPerByte()}. */
    Score score(String text, ScoreOptions options);

    /**
     * Scores several sequences, batching their forward passes; each result equals what the sequence gives alone, bit
     * for bit on a {@link dev.gpt2.api.spi.Capability#BATCH_INVARIANT} backend, else within rounding (see
     * {@link #generateBatch}).
     */
    List<Score> scoreBatch(List<int[]> sequences, ScoreOptions options);

    /** The logits of the token after {@code ids} (the last position), {@code vocabSize} of them. */
    float[] nextTokenLogits(int[] ids);

    /** Frees the backend's memory. Idempotent. */
    @Override
    void close();
}
