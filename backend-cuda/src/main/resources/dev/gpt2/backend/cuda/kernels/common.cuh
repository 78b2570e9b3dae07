// GPT-2 for Java, CUDA backend: definitions shared by every kernel file.
// The files are concatenated in the order KernelSource lists them and compiled as one NVRTC program, so no file
// includes another and no CUDA header is needed (NVRTC has none by default): 16-bit floats are handled as raw bits.
//
// Legend for shapes (as in the Java SPI): R = rows of this pass, C = n_embd, V = vocabulary, K / N = a matmul's in
// / out width, H = heads, D = head size. Every activation is F32 and row-major. Outputs come first in every kernel.

typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

// weight dtypes, as the Java side passes them (CudaTensor.DTYPE_*)
#define DT_F32 0
#define DT_F16 1
#define DT_BF16 2

// matmul epilogues (dev.gpt2.api.spi.Epilogue)
#define EPI_STORE 0
#define EPI_GELU 1
#define EPI_ACCUMULATE 2

#define NEG_INF __int_as_float(0xff800000)

#ifdef __CUDA_ARCH__
__device__ __forceinline__ float f16_to_f32(u16 h) {
    float f;
    asm("{ .reg .b16 t; mov.b16 t, %1; cvt.f32.f16 %0, t; }" : "=f"(f) : "h"(h));
    return f;
}

// round to nearest even, as java.lang.Float.floatToFloat16
__device__ __forceinline__ u16 f32_to_f16(float f) {
    u16 h;
    asm("{ .reg .b16 t; cvt.rn.f16.f32 t, %1; mov.b16 %0, t; }" : "=h"(h) : "f"(f));
    return h;
}
#else
// a host build: the CPU emulator that runs these kernels in the backend's tests
inline float f16_to_f32(u16 h) {
    _Float16 v;
    memcpy(&v, &h, 2);
    return (float) v;
}

inline u16 f32_to_f16(float f) {
    _Float16 v = (_Float16) f;
    u16 h;
    memcpy(&h, &v, 2);
    return h;
}
#endif

__device__ __forceinline__ float bf16_to_f32(u16 b) {
    return __uint_as_float(((u32) b) << 16);
}

// round to nearest even; NaN stays NaN: exactly dev.gpt2.api.spi.WeightFormats.floatToBf16
__device__ __forceinline__ u16 f32_to_bf16(float f) {
    u32 bits = __float_as_uint(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return (u16) ((bits >> 16) | 0x40u);
    }
    return (u16) ((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// element i of an F32, F16 or BF16 array
__device__ __forceinline__ float load_as_f32(const void* p, long long i, int dtype) {
    if (dtype == DT_F32) return ((const float*) p)[i];
    u16 bits = ((const u16*) p)[i];
    return dtype == DT_F16 ? f16_to_f32(bits) : bf16_to_f32(bits);
}

__device__ __forceinline__ void store_from_f32(void* p, long long i, int dtype, float v) {
    if (dtype == DT_F32) {
        ((float*) p)[i] = v;
    } else {
        ((u16*) p)[i] = dtype == DT_F16 ? f32_to_f16(v) : f32_to_bf16(v);
    }
}

// GPT-2's tanh approximation of GELU ("gelu_new")
__device__ __forceinline__ float gelu(float x) {
    const float k = 0.7978845608028654f;  // sqrt(2 / pi)
    return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ double warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024), in a fixed order; every thread gets the result.
// `scratch` holds 32 values.
template <typename T>
__device__ T block_sum(T v, T* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : (T) 0;
    return warp_sum(v);
}
