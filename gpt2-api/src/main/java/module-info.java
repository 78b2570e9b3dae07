/**
 * The public API of GPT-2 for Java and the compute backend SPI.
 *
 * <p>{@code dev.gpt2.api} holds what a user of the library sees: options and results as records, the
 * {@link dev.gpt2.api.LanguageModel} interface and the one exception type, {@link dev.gpt2.api.Gpt2Exception}.
 * {@code dev.gpt2.api.spi} is the narrow waist every compute backend implements; backends are found with
 * {@link java.util.ServiceLoader}, see {@link dev.gpt2.api.spi.BackendRegistry} for the selection order.
 *
 * @uses dev.gpt2.api.spi.BackendProvider
 */
module dev.gpt2.api {
    exports dev.gpt2.api;
    exports dev.gpt2.api.spi;

    uses dev.gpt2.api.spi.BackendProvider;
}
