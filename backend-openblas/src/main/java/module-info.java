/**
 * The OpenBLAS compute backend: GPT-2's matrix products on OpenBLAS through JavaCPP (bytedeco's presets), in the CPU
 * backend of {@code backend-vector} (which does the rest: tensors, caches, layer norm, attention).
 *
 * <p><b>Natives.</b> The native libraries come in one jar per platform, each a module of its own that nothing
 * {@code requires}: {@code org.bytedeco.openblas:0.3.31-1.5.13:linux-x86_64} (module
 * {@code org.bytedeco.openblas.linux.x86_64}) and {@code org.bytedeco:javacpp:1.5.13:linux-x86_64} (module
 * {@code org.bytedeco.javacpp.linux.x86_64}). This build ships the linux-x86_64 ones. On another platform put that
 * platform's two jars on the module path instead (classifiers {@code linux-arm64}, {@code macosx-arm64},
 * {@code macosx-x86_64}, {@code windows-x86_64}, ...; in Maven: the same two dependencies with your classifier, or
 * {@code org.bytedeco:openblas-platform}, which brings every platform's). Because nothing requires them, the JVM
 * must be told to resolve them: {@code --add-modules ALL-MODULE-PATH} (the {@code ./gpt2} launcher does); on the
 * class path they are found as they are. JavaCPP then extracts the libraries once into its cache,
 * {@code ~/.javacpp/cache} unless the system property {@code org.bytedeco.javacpp.cachedir} names another
 * directory, and loads them with JNI: {@code --enable-native-access=org.bytedeco.javacpp,org.bytedeco.openblas}
 * keeps the JDK from warning about it. When the library does not load, the provider's probe says why and which
 * jars to add; nothing else fails. JavaCPP itself is an optional dependency ({@code requires static}) for the same
 * reason: without its jars on the module path this module still resolves, and its backend reports itself
 * unavailable instead of stopping the JVM at startup.
 *
 * @provides dev.gpt2.api.spi.BackendProvider the "openblas" backend (priority 200)
 */
module dev.gpt2.backend.openblas {
    requires dev.gpt2.api;
    requires dev.gpt2.backend.vector;
    requires jdk.incubator.vector;
    requires static org.bytedeco.openblas;

    provides dev.gpt2.api.spi.BackendProvider with dev.gpt2.backend.openblas.OpenBlasProvider;
}
