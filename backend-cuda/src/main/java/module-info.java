/**
 * The CUDA compute backend, reached through the JDK's foreign function and memory API ({@code java.lang.foreign}):
 * the driver API ({@code libcuda.so.1}), cuBLAS and NVRTC, all looked up at run time by their CUDA 12 and 13 sonames,
 * so that one jar runs against whatever CUDA the machine has. Weights, activations and KV caches live in device
 * memory; kernels are CUDA C sources inside this jar, compiled by NVRTC for the device at first use and cached on
 * disk. Run with {@code --enable-native-access=dev.gpt2.backend.cuda} (or {@code ALL-UNNAMED} on the class path).
 *
 * @provides dev.gpt2.api.spi.BackendProvider the "cuda" backend (priority 300)
 */
module dev.gpt2.backend.cuda {
    requires dev.gpt2.api;

    provides dev.gpt2.api.spi.BackendProvider with dev.gpt2.backend.cuda.CudaProvider;
}
