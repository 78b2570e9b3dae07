// Microbenchmarks for Backend.measureLimits: device memory read bandwidth and FP32 FMA throughput.

// out[block] = the sum of the block's share of data (n4 float4 values), read once with 16-byte loads
extern "C" __global__ void read_bandwidth(float* out, const float4* data, long long n4) {
    __shared__ float scratch[32];
    float acc = 0.0f;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n4; i += (long long) gridDim.x * blockDim.x) {
        float4 v = __ldg(data + i);
        acc += (v.x + v.y) + (v.z + v.w);
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) out[blockIdx.x] = acc;
}

// 8 independent FMA chains of `iterations` steps per thread: 16 * iterations flops per thread
extern "C" __global__ void fma_peak(float* out, int iterations, float seed) {
    float a0 = seed, a1 = seed + 1.0f, a2 = seed + 2.0f, a3 = seed + 3.0f;
    float a4 = seed + 4.0f, a5 = seed + 5.0f, a6 = seed + 6.0f, a7 = seed + 7.0f;
    const float b = 0.999999f, c = 1.0e-7f;
#pragma unroll 8
    for (int i = 0; i < iterations; i++) {
        a0 = fmaf(a0, b, c); a1 = fmaf(a1, b, c); a2 = fmaf(a2, b, c); a3 = fmaf(a3, b, c);
        a4 = fmaf(a4, b, c); a5 = fmaf(a5, b, c); a6 = fmaf(a6, b, c); a7 = fmaf(a7, b, c);
    }
    out[(long long) blockIdx.x * blockDim.x + threadIdx.x] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
