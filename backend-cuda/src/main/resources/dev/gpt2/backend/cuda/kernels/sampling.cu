// Token choice and log-probabilities on the device, with HostSampler's exact semantics.
//
// HostSampler orders the tokens by the 64-bit key ((long) ~sortable(logit) << 32 | id): logit descending, then id
// ascending, NaN left out. Here the same key, with its sign bit flipped so that unsigned order is that order, is
// searched with an MSB-first radix select instead of a sort: one 256-bin histogram per byte finds the smallest key
// whose running total (a count, or a probability mass) reaches a target. Probabilities are accumulated as 2^62-scaled
// fixed-point integers, so every total is exact and independent of thread order; they differ from HostSampler's
// double sums by a few units in the last place at most, which can only matter when the uniform draw falls within
// ~1e-15 of a boundary between two tokens.

// One row's choice, as CudaBackend.chooseTokens writes it (32 bytes).
struct Choice {
    double temperature;
    double top_p;    // 1: no nucleus cut
    double uniform;  // in [0, 1)
    int top_k;       // 0: no top-k cut
    int greedy;      // 1: argmax (the other fields are ignored)
};

#define SAMPLE_THREADS 1024
#define MASS_ONE 4611686018427387904.0  // 2^62: the fixed-point scale of probability masses
#define NOT_FOUND 0xffffffffffffffffull

__device__ __forceinline__ bool token_key(const float* x, int i, u64* key) {
    float v = x[i];
    if (v != v) return false;
    int bits = __float_as_int(v);
    int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff;
    *key = ((((u64) (u32) ~sortable) << 32) | (u32) i) ^ 0x8000000000000000ull;
    return true;
}

// The warp's best (value, index): the larger value, the lower index on a tie; index -1 (nothing) never wins.
__device__ __forceinline__ void warp_argmax(float* bv, int* bi) {
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, *bv, o);
        int oi = __shfl_xor_sync(0xffffffffu, *bi, o);
        if (oi >= 0 && (*bi < 0 || ov > *bv || (ov == *bv && oi < *bi))) {
            *bv = ov;
            *bi = oi;
        }
    }
}

// The smallest key <= bound whose running total of weights (1 each when w is null) over the keys up to it reaches
// need (>= 1); NOT_FOUND when the total of every key <= bound is below need. Called by the whole block.
__device__ u64 select_key(const float* x, int V, const u64* w, u64 need, u64 bound, u64* hist, u64* shared) {
    int tid = threadIdx.x, lane = tid & 31;
    u64 prefix = 0, remaining = need;
    for (int shift = 56; shift >= 0; shift -= 8) {
        for (int b = tid; b < 256; b += blockDim.x) hist[b] = 0;
        __syncthreads();
        u64 high = shift == 56 ? 0ull : (~0ull << (shift + 8));
        for (int i = tid; i < V; i += blockDim.x) {
            u64 key;
            if (!token_key(x, i, &key) || key > bound || (key & high) != prefix) continue;
            u64 weight = w ? w[i] : 1ull;
            if (weight) atomicAdd(&hist[(key >> shift) & 255], weight);
        }
        __syncthreads();
        if (tid < 32) {
            u64 local = 0;
            for (int b = 0; b < 8; b++) local += hist[lane * 8 + b];
            u64 inclusive = local;
            for (int o = 1; o < 32; o <<= 1) {
                u64 y = __shfl_up_sync(0xffffffffu, inclusive, o);
                if (lane >= o) inclusive += y;
            }
            u64 before = inclusive - local;
            bool hit = before < remaining && inclusive >= remaining;
            unsigned any = __ballot_sync(0xffffffffu, hit);
            if (any == 0u) {
                if (lane == 0) shared[0] = NOT_FOUND;
            } else if (hit) {
                u64 run = before;
                int digit = lane * 8 + 7;
                for (int b = 0; b < 8; b++) {
                    u64 hb = hist[lane * 8 + b];
                    if (run + hb >= remaining) {
                        digit = lane * 8 + b;
                        break;
                    }
                    run += hb;
                }
                shared[0] = (u64) digit;
                shared[1] = remaining - run;
            }
        }
        __syncthreads();
        u64 digit = shared[0];
        remaining = shared[1];
        __syncthreads();
        if (digit == NOT_FOUND) return NOT_FOUND;
        prefix |= digit << shift;
    }
    return prefix;
}

// chosen[row] = the token HostSampler.choose picks for logits row `row` and choices[row], or -1 when every logit is
// NaN. scratch holds V u64 per row. Grid rows, block SAMPLE_THREADS.
extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) choose_tokens(int* chosen, const float* logits, int V,
                                                                          const Choice* choices, u64* scratch) {
    __shared__ u64 hist[256];
    __shared__ u64 shared[2];
    __shared__ float best_v[32];
    __shared__ int best_i[32];
    __shared__ double dscratch[32];
    __shared__ unsigned long long count;
    int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const float* x = logits + (long long) blockIdx.x * V;
    Choice ch = choices[blockIdx.x];

    // argmax (lowest id on a tie, NaN never wins) and the count of non-NaN logits
    if (tid == 0) count = 0;
    float bv = NEG_INF;
    int bi = -1;
    int valid = 0;
    for (int i = tid; i < V; i += blockDim.x) {
        float v = x[i];
        if (v == v) {
            valid++;
            if (bi < 0 || v > bv) {
                bv = v;
                bi = i;
            }
        }
    }
    warp_argmax(&bv, &bi);
    if (lane == 0) {
        best_v[warp] = bv;
        best_i[warp] = bi;
    }
    __syncthreads();
    atomicAdd(&count, (unsigned long long) valid);
    if (warp == 0) {
        int warps = blockDim.x >> 5;
        bv = lane < warps ? best_v[lane] : NEG_INF;
        bi = lane < warps ? best_i[lane] : -1;
        warp_argmax(&bv, &bi);
        if (lane == 0) {
            best_v[0] = bv;
            best_i[0] = bi;
        }
    }
    __syncthreads();
    float xmax = best_v[0];
    int argmax = best_i[0];
    u64 m = count;
    if (argmax < 0 || ch.greedy) {
        if (tid == 0) chosen[blockIdx.x] = argmax;
        return;
    }

    // top-k: the bound is the k-th smallest key
    u64 kept = ch.top_k > 0 && (u64) ch.top_k < m ? (u64) ch.top_k : m;
    u64 bound = kept < m ? select_key(x, V, 0, kept, ~0ull, hist, shared) : ~0ull;

    // probabilities of what is kept, as HostSampler computes them, then as fixed-point masses summing to ~2^62
    u64* w = scratch + (long long) blockIdx.x * V;
    double local = 0.0;
    for (int i = tid; i < V; i += blockDim.x) {
        u64 key;
        double p = 0.0;
        // HostSampler.weight: the difference before the division (a tiny temperature must not overflow)
        if (token_key(x, i, &key) && key <= bound) {
            p = x[i] == xmax ? 1.0 : exp(((double) x[i] - (double) xmax) / ch.temperature);
        }
        local += p;
        w[i] = (u64) __double_as_longlong(p);
    }
    double sum = block_sum(local, dscratch);
    for (int i = tid; i < V; i += blockDim.x) {
        double p = __longlong_as_double((long long) w[i]);
        w[i] = __double2ull_rn(p / sum * MASS_ONE);
    }
    __syncthreads();

    // top-p: the shortest prefix whose mass reaches top_p
    u64 cut = bound;
    if (ch.top_p < 1.0) {
        double need = ceil(ch.top_p * MASS_ONE);
        u64 found = select_key(x, V, w, need < 1.0 ? 1ull : (u64) need, bound, hist, shared);
        if (found != NOT_FOUND) cut = found;
    }

    // the first token whose running mass exceeds uniform * (mass up to the cut)
    if (tid == 0) count = 0;
    __syncthreads();
    u64 mine = 0;
    for (int i = tid; i < V; i += blockDim.x) {
        u64 key;
        if (token_key(x, i, &key) && key <= cut) mine += w[i];
    }
    atomicAdd(&count, mine);
    __syncthreads();
    u64 total = count;
    double target = floor(ch.uniform * (double) total);
    u64 pick = select_key(x, V, w, (u64) target + 1ull, cut, hist, shared);
    if (pick == NOT_FOUND) pick = cut;
    if (tid == 0) chosen[blockIdx.x] = (int) (u32) (pick & 0xffffffffull);
}

// out[row] = ln softmax(logits[row])[targets[row]], accumulated in double (NaN when any logit is NaN, as on the
// host). Grid rows, block 1024.
extern "C" __global__ void __launch_bounds__(1024) token_log_probs(double* out, const float* logits,
                                                                  const int* targets, int V) {
    __shared__ float maxes[32];
    __shared__ double dscratch[32];
    __shared__ int any_nan;
    int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const float* x = logits + (long long) blockIdx.x * V;
    if (tid == 0) any_nan = 0;
    __syncthreads();
    float mx = NEG_INF;
    int nan = 0;
    for (int i = tid; i < V; i += blockDim.x) {
        float v = x[i];
        if (v != v) nan = 1;
        else mx = fmaxf(mx, v);
    }
    if (nan) any_nan = 1;
    mx = warp_max(mx);
    if (lane == 0) maxes[warp] = mx;
    __syncthreads();
    if (warp == 0) {
        mx = lane < (int) (blockDim.x >> 5) ? maxes[lane] : NEG_INF;
        mx = warp_max(mx);
        if (lane == 0) maxes[0] = mx;
    }
    __syncthreads();
    double top = (double) maxes[0];
    double local = 0.0;
    for (int i = tid; i < V; i += blockDim.x) local += exp((double) x[i] - top);
    double sum = block_sum(local, dscratch);
    if (tid == 0) {
        out[blockIdx.x] = any_nan ? __longlong_as_double(0x7ff8000000000000ll)
                                  : (double) x[targets[blockIdx.x]] - top - log(sum);
    }
}
