// Matmul for few rows (decode): out [rows, N] = epilogue(x [rows, K] . W + b), with W held transposed as
// wt [N, K] (one contiguous row per output), F32, F16 or BF16. One warp per output column streams its weight row
// once with 16-byte loads and serves every row of x, so decode reads each weight exactly once. Bias may be null.
// Block 256 (8 outputs), grid ceil(N / 8). The gemv_ln kernels first apply the layer norm that produced x (each
// block normalises the raw rows into shared memory, exactly as layer_norm does; block 0 also stores them), which
// saves the layer norm's own launch in decode.

template <int DT>
__device__ __forceinline__ void load8(const void* w, long long i, float* f) {
    if (DT == DT_F32) {
        const float4* p = (const float4*) ((const float*) w + i);
        float4 a = __ldg(p), b = __ldg(p + 1);
        f[0] = a.x; f[1] = a.y; f[2] = a.z; f[3] = a.w;
        f[4] = b.x; f[5] = b.y; f[6] = b.z; f[7] = b.w;
    } else {
        uint4 u = __ldg((const uint4*) ((const u16*) w + i));
        u32 words[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
        for (int k = 0; k < 4; k++) {
            u16 lo = (u16) (words[k] & 0xffffu), hi = (u16) (words[k] >> 16);
            f[2 * k] = DT == DT_F16 ? f16_to_f32(lo) : bf16_to_f32(lo);
            f[2 * k + 1] = DT == DT_F16 ? f16_to_f32(hi) : bf16_to_f32(hi);
        }
    }
}

template <int DT, int R>
__device__ __forceinline__ void gemv(float* out, const float* x, const void* wt, const float* bias, int rows, int K,
                                     int N, int epilogue) {
    int n = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (n >= N) return;  // the whole warp leaves together
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; r++) acc[r] = 0.0f;
    long long base = (long long) n * K;
    if ((K & 7) == 0) {
#pragma unroll 4
        for (int k = lane * 8; k < K; k += 256) {
            float w[8];
            load8<DT>(wt, base + k, w);
#pragma unroll
            for (int r = 0; r < R; r++) {
                if (r < rows) {
                    const float4* xp = (const float4*) (x + (long long) r * K + k);
                    float4 a = xp[0], b = xp[1];
                    float s = acc[r];
                    s = fmaf(w[0], a.x, s); s = fmaf(w[1], a.y, s); s = fmaf(w[2], a.z, s); s = fmaf(w[3], a.w, s);
                    s = fmaf(w[4], b.x, s); s = fmaf(w[5], b.y, s); s = fmaf(w[6], b.z, s); s = fmaf(w[7], b.w, s);
                    acc[r] = s;
                }
            }
        }
    } else {
        for (int k = lane; k < K; k += 32) {
            float w = load_as_f32(wt, base + k, DT);
#pragma unroll
            for (int r = 0; r < R; r++) {
                if (r < rows) acc[r] = fmaf(w, x[(long long) r * K + k], acc[r]);
            }
        }
    }
#pragma unroll
    for (int r = 0; r < R; r++) acc[r] = warp_sum(acc[r]);
    if (lane == 0) {
        float b = bias ? bias[n] : 0.0f;
#pragma unroll
        for (int r = 0; r < R; r++) {
            if (r < rows) {
                long long at = (long long) r * N + n;
                float v = acc[r] + b;
                if (epilogue == EPI_GELU) v = gelu(v);
                else if (epilogue == EPI_ACCUMULATE) v += out[at];
                out[at] = v;
            }
        }
    }
}

// x [rows, K] = layer_norm(raw [rows, K]) into dynamic shared memory (and into ln_out from block 0), then gemv
template <int DT, int R>
__device__ __forceinline__ void gemv_ln(float* out, const float* raw, const void* wt, const float* bias, int rows,
                                        int K, int N, int epilogue, float* ln_out, const float* gamma,
                                        const float* beta, float eps) {
    extern __shared__ float smem[];
    __shared__ float scratch[32];
    for (int r = 0; r < rows; r++) {
        layer_norm_row(smem + r * K, blockIdx.x == 0 ? ln_out + (long long) r * K : 0, raw + (long long) r * K,
                       gamma, beta, K, eps, scratch);
    }
    __syncthreads();
    gemv<DT, R>(out, smem, wt, bias, rows, K, N, epilogue);
}

#define GEMV_LN_KERNEL(NAME, DT, R)                                                                               \
    extern "C" __global__ void __launch_bounds__(256) NAME(float* out, const float* raw, const void* wt,          \
                                                           const float* bias, int rows, int K, int N,             \
                                                           int epilogue, float* ln_out, const float* gamma,       \
                                                           const float* beta, float eps) {                       \
        gemv_ln<DT, R>(out, raw, wt, bias, rows, K, N, epilogue, ln_out, gamma, beta, eps);                      \
    }

GEMV_LN_KERNEL(gemv_ln_f32_r1, DT_F32, 1)
GEMV_LN_KERNEL(gemv_ln_f32_r2, DT_F32, 2)
GEMV_LN_KERNEL(gemv_ln_f32_r4, DT_F32, 4)
GEMV_LN_KERNEL(gemv_ln_f32_r8, DT_F32, 8)
GEMV_LN_KERNEL(gemv_ln_f16_r1, DT_F16, 1)
GEMV_LN_KERNEL(gemv_ln_f16_r2, DT_F16, 2)
GEMV_LN_KERNEL(gemv_ln_f16_r4, DT_F16, 4)
GEMV_LN_KERNEL(gemv_ln_f16_r8, DT_F16, 8)
GEMV_LN_KERNEL(gemv_ln_bf16_r1, DT_BF16, 1)
GEMV_LN_KERNEL(gemv_ln_bf16_r2, DT_BF16, 2)
GEMV_LN_KERNEL(gemv_ln_bf16_r4, DT_BF16, 4)
GEMV_LN_KERNEL(gemv_ln_bf16_r8, DT_BF16, 8)

#define GEMV_KERNEL(NAME, DT, R)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) NAME(float* out, const float* x, const void* wt,            \
                                                           const float* bias, int rows, int K, int N,             \
                                                           int epilogue) {                                        \
        gemv<DT, R>(out, x, wt, bias, rows, K, N, epilogue);                                                      \
    }

GEMV_KERNEL(gemv_f32_r1, DT_F32, 1)
GEMV_KERNEL(gemv_f32_r2, DT_F32, 2)
GEMV_KERNEL(gemv_f32_r4, DT_F32, 4)
GEMV_KERNEL(gemv_f32_r8, DT_F32, 8)
GEMV_KERNEL(gemv_f16_r1, DT_F16, 1)
GEMV_KERNEL(gemv_f16_r2, DT_F16, 2)
GEMV_KERNEL(gemv_f16_r4, DT_F16, 4)
GEMV_KERNEL(gemv_f16_r8, DT_F16, 8)
GEMV_KERNEL(gemv_bf16_r1, DT_BF16, 1)
GEMV_KERNEL(gemv_bf16_r2, DT_BF16, 2)
GEMV_KERNEL(gemv_bf16_r4, DT_BF16, 4)
GEMV_KERNEL(gemv_bf16_r8, DT_BF16, 8)
