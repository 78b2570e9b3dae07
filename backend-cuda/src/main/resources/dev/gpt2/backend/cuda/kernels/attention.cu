// Causal multi-head attention over per-sequence KV caches ("ragged" batches: each slice is one sequence).
// A cache layer holds keys [H][capacity][D] and values [H][capacity][D] (F32), so one head's positions are contiguous.
// qkv [R, 3C] holds q, k, v side by side as c_attn makes them; out [R, C] gets the heads side by side.

// One sequence of the batch, as CudaBackend.attention writes it (32 bytes, little-endian).
struct AttnSlice {
    u64 k;          // this layer's keys
    u64 v;          // this layer's values
    int first_row;  // its first row in qkv / out
    int rows;       // its new positions in this pass
    int past;       // positions already in the cache
    int capacity;   // positions the cache holds
};

// A block of up to 64 query rows of one slice, for the prefill kernel.
struct AttnTile {
    int slice;
    int row0;       // first row, relative to the slice
};

#define ATTN_CHUNK 64

// Stores each row's k and v at its position in its slice's cache; grid R
extern "C" __global__ void kv_store(const float* qkv, const AttnSlice* slices, const int* row_slice, int C, int D) {
    int r = blockIdx.x;
    AttnSlice s = slices[row_slice[r]];
    int pos = s.past + r - s.first_row;
    float* K = (float*) s.k;
    float* V = (float*) s.v;
    const float* src = qkv + (long long) r * 3 * C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
        int h = c / D, d = c - h * D;
        long long at = ((long long) h * s.capacity + pos) * D + d;
        K[at] = src[C + c];
        V[at] = src[2 * C + c];
    }
}

// Decode, split over the cache ("flash decoding"), in one kernel: block (chunk, head, row) scores the row's query
// against positions [chunk * 64, chunk * 64 + 64) of its causal range and writes its partial softmax to
// part [R][H][chunks][D + 2] = (sum_p e_p v_p, max score m, sum_p e_p) with e_p = exp(score_p - m); the last block of
// a (row, head) to finish (counted in counters [R][H], which start at 0 and are left at 0) merges the partials into
// out. Chunks past the row's range do nothing. With `store` (every slice has one new row) the block whose chunk holds
// the row's own position first stores the row's key and value there, which saves kv_store. Block 128, D <= 128.
extern "C" __global__ void __launch_bounds__(128) attn_decode(float* out, float* part, int* counters,
                                                             const float* qkv, const AttnSlice* slices,
                                                             const int* row_slice, int C, int D, float scale,
                                                             int store) {
    __shared__ float q[128];
    __shared__ float e[ATTN_CHUNK];
    __shared__ float red[128];
    __shared__ float stats[2];
    __shared__ int last;
    int chunk = blockIdx.x, h = blockIdx.y, r = blockIdx.z, H = gridDim.y, chunks = gridDim.x;
    int tid = threadIdx.x;
    AttnSlice s = slices[row_slice[r]];
    int pos = s.past + (r - s.first_row);
    int len = pos + 1;
    int start = chunk * ATTN_CHUNK;
    if (start >= len) return;
    int n = min(ATTN_CHUNK, len - start);
    const float* src = qkv + (long long) r * 3 * C;
    long long head = (long long) h * s.capacity;
    if (store && pos < start + ATTN_CHUNK) {
        for (int d = tid; d < D; d += blockDim.x) {
            ((float*) s.k)[(head + pos) * D + d] = src[C + h * D + d];
            ((float*) s.v)[(head + pos) * D + d] = src[2 * C + h * D + d];
        }
    }
    const float* K = (const float*) s.k + (head + start) * D;
    const float* V = (const float*) s.v + (head + start) * D;
    for (int d = tid; d < D; d += blockDim.x) q[d] = src[h * D + d] * scale;
    __syncthreads();

    // scores: 16 groups of 8 lanes, group g takes positions g, g + 16, ...
    int g = tid >> 3, sub = tid & 7;
    unsigned mask = 0xffu << (tid & 24);
    for (int p = g; p < n; p += 16) {
        const float* kp = K + (long long) p * D;
        float dot = 0.0f;
        if ((D & 3) == 0) {
            for (int d = sub * 4; d < D; d += 32) {
                float4 kv = *(const float4*) (kp + d);
                dot += q[d] * kv.x + q[d + 1] * kv.y + q[d + 2] * kv.z + q[d + 3] * kv.w;
            }
        } else {
            for (int d = sub; d < D; d += 8) dot += q[d] * kp[d];
        }
        dot += __shfl_xor_sync(mask, dot, 4);
        dot += __shfl_xor_sync(mask, dot, 2);
        dot += __shfl_xor_sync(mask, dot, 1);
        if (sub == 0) e[p] = dot;
    }
    __syncthreads();

    if (tid < 32) {
        float a = tid < n ? e[tid] : NEG_INF;
        float b = tid + 32 < n ? e[tid + 32] : NEG_INF;
        float m = warp_max(fmaxf(a, b));
        float ea = tid < n ? expf(a - m) : 0.0f;
        float eb = tid + 32 < n ? expf(b - m) : 0.0f;
        if (tid < n) e[tid] = ea;
        if (tid + 32 < n) e[tid + 32] = eb;
        float l = warp_sum(ea + eb);
        if (tid == 0) {
            stats[0] = m;
            stats[1] = l;
        }
    }
    __syncthreads();

    // weighted values: groups of D threads split the positions
    int groups = blockDim.x / D, grp = tid / D, d = tid - grp * D;
    float acc = 0.0f;
    if (grp < groups) {
        for (int p = grp; p < n; p += groups) acc += e[p] * V[(long long) p * D + d];
    }
    red[tid] = acc;
    __syncthreads();
    float* mine = part + (((long long) r * H + h) * chunks + chunk) * (D + 2);
    if (tid < D) {
        float sum = 0.0f;
        for (int k = 0; k < groups; k++) sum += red[k * D + tid];
        mine[tid] = sum;
    }
    if (tid == 0) {
        mine[D] = stats[0];
        mine[D + 1] = stats[1];
    }

    // the last block of this (row, head) merges every chunk's partial
    int used = (len + ATTN_CHUNK - 1) / ATTN_CHUNK;
    __threadfence();
    __syncthreads();
    if (tid == 0) last = atomicAdd(&counters[r * H + h], 1) == used - 1;
    __syncthreads();
    if (!last) return;
    __threadfence();
    const float* all = part + ((long long) r * H + h) * chunks * (D + 2);
    float mx = NEG_INF;
    for (int c = 0; c < used; c++) mx = fmaxf(mx, __ldcg(all + c * (D + 2) + D));
    float l = 0.0f;
    for (int c = 0; c < used; c++) l += __ldcg(all + c * (D + 2) + D + 1) * expf(__ldcg(all + c * (D + 2) + D) - mx);
    for (int dd = tid; dd < D; dd += blockDim.x) {
        float o = 0.0f;
        for (int c = 0; c < used; c++) o += __ldcg(all + c * (D + 2) + dd) * expf(__ldcg(all + c * (D + 2) + D) - mx);
        out[(long long) r * C + h * D + dd] = o / l;
    }
    if (tid == 0) counters[r * H + h] = 0;
}

// Prefill, fused ("flash attention" on CUDA cores): block (tile, head) takes up to 64 query rows of one slice and
// walks the keys in blocks of 64 with an online softmax, never storing the scores. Block 256 as 16 x 16 threads;
// each thread owns 4 query rows (ty + 16 i) x 4 key columns (tx + 16 j) of a score block and 4 rows x D / 16
// columns (tx + 16 j) of the output. Dynamic shared memory: (3 * 64 * (D + 1) + 64 * 65) floats; D <= 128.
extern "C" __global__ void __launch_bounds__(256) attn_prefill(float* out, const float* qkv, const AttnSlice* slices,
                                                              const AttnTile* tiles, int C, int D, float scale) {
    extern __shared__ float smem[];
    int ld = D + 1;
    float* Qs = smem;
    float* Ks = Qs + 64 * ld;
    float* Vs = Ks + 64 * ld;
    float* Ss = Vs + 64 * ld;
    int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    AttnTile t = tiles[blockIdx.x];
    AttnSlice s = slices[t.slice];
    int h = blockIdx.y;
    int nq = min(64, s.rows - t.row0);
    int first = s.first_row + t.row0;  // row of query 0 in qkv / out
    int qpos0 = s.past + t.row0;       // its position
    const float* K = (const float*) s.k + (long long) h * s.capacity * D;
    const float* V = (const float*) s.v + (long long) h * s.capacity * D;

    for (int i = tid; i < 64 * D; i += 256) {
        int row = i / D, d = i - row * D;
        Qs[row * ld + d] = row < nq ? qkv[(long long) (first + row) * 3 * C + h * D + d] * scale : 0.0f;
    }
    float m[4], l[4], o[4][8];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        m[i] = NEG_INF;
        l[i] = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; j++) o[i][j] = 0.0f;
    }

    int kv_end = qpos0 + nq;  // keys [0, kv_end) are needed
    for (int kb = 0; kb < kv_end; kb += 64) {
        int nk = min(64, kv_end - kb);
        __syncthreads();
        for (int i = tid; i < 64 * D; i += 256) {
            int row = i / D, d = i - row * D;
            bool in = row < nk;
            Ks[row * ld + d] = in ? K[(long long) (kb + row) * D + d] : 0.0f;
            Vs[row * ld + d] = in ? V[(long long) (kb + row) * D + d] : 0.0f;
        }
        __syncthreads();

        float sc[4][4];
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) sc[i][j] = 0.0f;
        for (int d = 0; d < D; d++) {
            float qv[4], kv[4];
#pragma unroll
            for (int i = 0; i < 4; i++) qv[i] = Qs[(ty + 16 * i) * ld + d];
#pragma unroll
            for (int j = 0; j < 4; j++) kv[j] = Ks[(tx + 16 * j) * ld + d];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) sc[i][j] = fmaf(qv[i], kv[j], sc[i][j]);
        }

#pragma unroll
        for (int i = 0; i < 4; i++) {
            int row = ty + 16 * i;
            int qpos = qpos0 + row;
            float rowmax = NEG_INF;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int col = tx + 16 * j;
                if (row >= nq || col >= nk || kb + col > qpos) sc[i][j] = NEG_INF;
                rowmax = fmaxf(rowmax, sc[i][j]);
            }
            for (int off = 8; off > 0; off >>= 1) rowmax = fmaxf(rowmax, __shfl_xor_sync(0xffffffffu, rowmax, off));
            float mnew = fmaxf(m[i], rowmax);
            float alpha = mnew == NEG_INF ? 1.0f : expf(m[i] - mnew);
            float rowsum = 0.0f;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                float p = sc[i][j] == NEG_INF ? 0.0f : expf(sc[i][j] - mnew);
                Ss[row * 65 + tx + 16 * j] = p;
                rowsum += p;
            }
            for (int off = 8; off > 0; off >>= 1) rowsum += __shfl_xor_sync(0xffffffffu, rowsum, off);
            l[i] = l[i] * alpha + rowsum;
            m[i] = mnew;
#pragma unroll
            for (int j = 0; j < 8; j++) o[i][j] *= alpha;
        }
        __syncthreads();

        for (int c = 0; c < nk; c++) {
            float pv[4];
#pragma unroll
            for (int i = 0; i < 4; i++) pv[i] = Ss[(ty + 16 * i) * 65 + c];
#pragma unroll
            for (int j = 0; j < 8; j++) {
                int d = tx + 16 * j;
                if (d < D) {
                    float vv = Vs[c * ld + d];
#pragma unroll
                    for (int i = 0; i < 4; i++) o[i][j] = fmaf(pv[i], vv, o[i][j]);
                }
            }
        }
    }

#pragma unroll
    for (int i = 0; i < 4; i++) {
        int row = ty + 16 * i;
        if (row < nq) {
#pragma unroll
            for (int j = 0; j < 8; j++) {
                int d = tx + 16 * j;
                if (d < D) out[(long long) (first + row) * C + h * D + d] = o[i][j] / l[i];
            }
        }
    }
}
