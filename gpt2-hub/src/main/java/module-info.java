/**
 * Model names that just work: turns a model argument ({@code gpt2}, {@code openai-community/gpt2-medium}, any
 * {@code org/name} GPT-2 checkpoint, a folder, a file) into a local folder the loader reads, reusing the Hugging Face
 * cache that Python users already have and downloading what is missing from the Hub. Start at
 * {@link dev.gpt2.hub.HubResolver}.
 *
 * <p>{@code dev.gpt2.hub.progress} is a small progress bar on stderr (bytes or items, rate, time left) that other
 * modules may reuse for long jobs.
 */
module dev.gpt2.hub {
    requires transitive dev.gpt2.api;
    requires java.net.http;
    requires tools.jackson.core;

    exports dev.gpt2.hub;
    exports dev.gpt2.hub.progress;
}
