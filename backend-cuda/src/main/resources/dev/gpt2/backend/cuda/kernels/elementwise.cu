// Conversions, embeddings, layer norm, matmul epilogues and copies.

// dst[i] = src[i] converted between F32 / F16 / BF16 (n values)
extern "C" __global__ void convert(void* dst, int dst_type, const void* src, int src_type, long long n) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        store_from_f32(dst, i, dst_type, load_as_f32(src, i, src_type));
    }
}

// dst [cols, rows] = transpose(src [rows, cols]), converting dtypes; block 256 (32 x 8), grid (ceil(cols/32),
// ceil(rows/32))
extern "C" __global__ void convert_transpose(void* dst, int dst_type, const void* src, int src_type, int rows, int cols) {
    __shared__ float tile[32][33];
    int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    int c0 = blockIdx.x * 32, r0 = blockIdx.y * 32;
    for (int i = ty; i < 32; i += 8) {
        int r = r0 + i, c = c0 + tx;
        if (r < rows && c < cols) tile[i][tx] = load_as_f32(src, (long long) r * cols + c, src_type);
    }
    __syncthreads();
    for (int i = ty; i < 32; i += 8) {
        int c = c0 + i, r = r0 + tx;
        if (c < cols && r < rows) store_from_f32(dst, (long long) c * rows + r, dst_type, tile[tx][i]);
    }
}

// dst [parts][n]: x [n] split into `parts` F16 or BF16 values whose sum is x: part 0 = round(x), part 1 =
// round(x - part 0), part 2 = round(x - part 0 - part 1) (each difference is exact in F32). Three BF16 parts carry
// all 24 bits of an F32, so three tensor-core matmuls against 16-bit weights give F32-accurate products; one part is
// plain rounding. (F16 parts need |x| < 65504.)
extern "C" __global__ void split_16(u16* dst, int dtype, const float* src, long long n, int parts) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        float r = src[i];
        for (int p = 0; p < parts; p++) {
            u16 h = dtype == DT_F16 ? f32_to_f16(r) : f32_to_bf16(r);
            dst[p * n + i] = h;
            r -= dtype == DT_F16 ? f16_to_f32(h) : bf16_to_f32(h);
        }
    }
}

// out [R, C] = wte[ids[r]] + wpe[positions[r]]; grid R
extern "C" __global__ void embed(float* out, const void* wte, int wte_type, const void* wpe, int wpe_type,
                                 const int* ids, const int* positions, int C) {
    int r = blockIdx.x;
    long long t = (long long) ids[r] * C, p = (long long) positions[r] * C;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        out[(long long) r * C + j] = load_as_f32(wte, t + j, wte_type) + load_as_f32(wpe, p + j, wpe_type);
    }
}

// y [C] = (x - mean) / sqrt(var + eps) * weight + bias, biased variance, two passes; also into y2 unless it is null.
// y may be x. Called by the whole block; `scratch` holds 32 floats.
__device__ __forceinline__ void layer_norm_row(float* y, float* y2, const float* x, const float* weight,
                                               const float* bias, int C, float eps, float* scratch) {
    float s = 0.0f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) s += x[j];
    float mean = block_sum(s, scratch) / C;
    float q = 0.0f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float d = x[j] - mean;
        q += d * d;
    }
    float rstd = 1.0f / sqrtf(block_sum(q, scratch) / C + eps);
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float v = (x[j] - mean) * rstd * weight[j] + bias[j];
        y[j] = v;
        if (y2) y2[j] = v;
    }
}

// out [R, C] = layer norm of each row of in [R, C]; out may be in. grid R
extern "C" __global__ void layer_norm(float* out, const float* in, const float* weight, const float* bias, int C,
                                      float eps) {
    __shared__ float scratch[32];
    layer_norm_row(out + (long long) blockIdx.x * C, 0, in + (long long) blockIdx.x * C, weight, bias, C, eps,
                   scratch);
}

// out [total / N, N] += bias (may be null), then GELU when asked: the epilogue of a cuBLAS matmul
extern "C" __global__ void bias_epilogue(float* out, const float* bias, int N, long long total, int apply_gelu) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) {
        float v = out[i] + (bias ? bias[i % N] : 0.0f);
        out[i] = apply_gelu ? gelu(v) : v;
    }
}

// dst [n, C] = src[rows[i]]; grid n
extern "C" __global__ void gather_rows(float* dst, const float* src, const int* rows, int C) {
    const float* s = src + (long long) rows[blockIdx.x] * C;
    float* d = dst + (long long) blockIdx.x * C;
    for (int j = threadIdx.x; j < C; j += blockDim.x) d[j] = s[j];
}

// The first `positions` positions of each (layer, k|v, head) group of a KV cache [groups][capacity][D] into another
// cache of possibly different capacity; grid groups
extern "C" __global__ void cache_copy(float* dst, const float* src, int dst_capacity, int src_capacity, int positions,
                                      int D) {
    long long g = blockIdx.x, n = (long long) positions * D;
    float* d = dst + g * dst_capacity * D;
    const float* s = src + g * src_capacity * D;
    for (long long j = threadIdx.x; j < n; j += blockDim.x) d[j] = s[j];
}
