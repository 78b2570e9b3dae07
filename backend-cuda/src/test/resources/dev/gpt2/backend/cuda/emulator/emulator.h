// A CPU emulator of the CUDA execution model, for testing this backend's kernels without a GPU.
//
// Each block's threads are fibers run one at a time by the calling OS thread; __syncthreads and the warp
// intrinsics are scheduling points where a fiber waits until every thread that must take part has arrived. Blocks
// run one after another. A barrier that some thread never reaches is reported as a deadlock instead of hanging, and
// dynamic shared memory starts as NaN bytes so that reading what no thread wrote shows. Threads that have returned
// no longer count for __syncthreads, as on the hardware since Volta.
#pragma once
#include <setjmp.h>
#include <ucontext.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// __shared__ arrays are per OS thread: callers on several threads launch kernels at once, as on separate streams
#define __shared__ static thread_local

struct emu_dim3 {
    unsigned x, y, z;
};
struct float4 {
    float x, y, z, w;
};
struct uint4 {
    unsigned x, y, z, w;
};

inline thread_local emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace emu {

enum State { RUN, AT_BARRIER, AT_WARP, DONE };
enum WarpOp { SHFL_XOR, SHFL_UP, BALLOT };

struct Fiber {
    ucontext_t start;
    jmp_buf resume;
    bool started;
    State state;
    unsigned mask;
    WarpOp op;
    int arg;
    uint64_t value;
    uint64_t result;
};

// One launch's threads. A fiber is created once per launch and runs the kernel once per block: after each block it
// parks until the scheduler starts the next one. Switches are _setjmp / _longjmp (no system call); ucontext only
// gives each fiber its stack.
struct Block {
    std::vector<Fiber> fibers;
    std::vector<std::vector<char>> stacks;
    jmp_buf scheduler;
    ucontext_t unused;
    int current;
    std::function<void()> body;
    std::string failure;
};

inline thread_local Block* block;
inline thread_local std::vector<char> dynamic_shared;

inline void yield() {
    Block* b = block;
    if (!_setjmp(b->fibers[b->current].resume)) _longjmp(b->scheduler, 1);
}

inline void fiber_main() {
    while (true) {
        Block* b = block;
        try {
            b->body();
        } catch (const std::exception& e) {
            if (b->failure.empty()) b->failure = e.what();
        }
        b->fibers[b->current].state = DONE;
        yield();
    }
}

inline void resume(Block& b, int i) {
    b.current = i;
    threadIdx = {(unsigned) (i % blockDim.x), (unsigned) (i / blockDim.x % blockDim.y),
                 (unsigned) (i / (blockDim.x * blockDim.y))};
    Fiber& f = b.fibers[i];
    if (!_setjmp(b.scheduler)) {
        if (!f.started) {
            f.started = true;
            swapcontext(&b.unused, &f.start);
        } else {
            _longjmp(f.resume, 1);
        }
    }
}

inline uint64_t warp_op(unsigned mask, WarpOp op, uint64_t value, int arg) {
    Fiber& f = block->fibers[block->current];
    f.state = AT_WARP;
    f.mask = mask;
    f.op = op;
    f.value = value;
    f.arg = arg;
    yield();
    return block->fibers[block->current].result;
}

inline std::string describe(const Block& b) {
    std::string s;
    for (size_t i = 0; i < b.fibers.size(); i++) {
        const Fiber& f = b.fibers[i];
        if (f.state == DONE) continue;
        s += " thread " + std::to_string(i) + (f.state == AT_BARRIER ? " at __syncthreads" : " at a warp op, mask "
                + std::to_string(f.mask)) + ";";
        if (s.size() > 400) break;
    }
    return s;
}

// Releases the warp groups whose every member has arrived; true if any was released.
inline bool release_warps(Block& b) {
    bool released = false;
    int n = (int) b.fibers.size();
    for (int base = 0; base < n; base += 32) {
        for (int lane = 0; lane < 32 && base + lane < n; lane++) {
            Fiber& f = b.fibers[base + lane];
            if (f.state != AT_WARP) continue;
            unsigned mask = f.mask;
            bool complete = true;
            for (int l = 0; l < 32; l++) {
                if (!(mask >> l & 1u)) continue;
                if (base + l >= n) throw std::runtime_error("warp op mask names a lane past the block");
                Fiber& g = b.fibers[base + l];
                if (g.state == DONE) {
                    throw std::runtime_error("warp op with mask " + std::to_string(mask) + " names lane "
                            + std::to_string(l) + ", which has returned");
                }
                if (g.state != AT_WARP || g.mask != mask) complete = false;
                else if (g.op != f.op) throw std::runtime_error("lanes of one mask at different warp ops");
            }
            if (!complete) continue;
            uint64_t ballot = 0;
            for (int l = 0; l < 32; l++) {
                if (mask >> l & 1u && b.fibers[base + l].value) ballot |= 1ull << l;
            }
            for (int l = 0; l < 32; l++) {
                if (!(mask >> l & 1u)) continue;
                Fiber& g = b.fibers[base + l];
                int src = l;
                if (g.op == SHFL_XOR) src = l ^ g.arg;
                if (g.op == SHFL_UP) src = l - g.arg >= 0 ? l - g.arg : l;
                if (src < 0 || src > 31 || !(mask >> src & 1u)) src = l;
                g.result = g.op == BALLOT ? ballot : b.fibers[base + src].value;
                g.state = RUN;
            }
            released = true;
        }
    }
    return released;
}

// Runs the current block to completion on the launch's fibers.
inline void run_block(Block& b) {
    int threads = (int) b.fibers.size();
    for (Fiber& f : b.fibers) f.state = RUN;
    while (true) {
        bool ran = false;
        for (int i = 0; i < threads; i++) {
            if (b.fibers[i].state != RUN) continue;
            resume(b, i);
            ran = true;
        }
        if (!b.failure.empty()) throw std::runtime_error(b.failure);
        bool all_done = true, all_barrier = true;
        for (Fiber& f : b.fibers) {
            if (f.state != DONE) all_done = false;
            if (f.state != DONE && f.state != AT_BARRIER) all_barrier = false;
        }
        if (all_done) return;
        if (release_warps(b)) continue;
        if (all_barrier) {
            for (Fiber& f : b.fibers) {
                if (f.state == AT_BARRIER) f.state = RUN;
            }
            continue;
        }
        if (!ran) throw std::runtime_error("deadlock in block (" + std::to_string(blockIdx.x) + ", "
                + std::to_string(blockIdx.y) + ", " + std::to_string(blockIdx.z) + "):" + describe(b));
    }
}

// Runs a whole grid; `body` is the kernel call every thread makes.
inline void launch(emu_dim3 grid, emu_dim3 blockShape, size_t shared_bytes, std::function<void()> body) {
    int threads = (int) (blockShape.x * blockShape.y * blockShape.z);
    if (threads < 1 || threads > 1024) throw std::runtime_error("bad block size " + std::to_string(threads));
    Block b;
    b.body = std::move(body);
    b.fibers.assign(threads, Fiber{});
    b.stacks.resize(threads);
    for (int i = 0; i < threads; i++) {
        b.stacks[i].resize(64 * 1024);
        Fiber& f = b.fibers[i];
        getcontext(&f.start);
        f.start.uc_stack.ss_sp = b.stacks[i].data();
        f.start.uc_stack.ss_size = b.stacks[i].size();
        f.start.uc_link = nullptr;
        makecontext(&f.start, fiber_main, 0);
    }
    Block* outer = block;
    block = &b;
    gridDim = grid;
    blockDim = blockShape;
    try {
        for (unsigned z = 0; z < grid.z; z++) {
            for (unsigned y = 0; y < grid.y; y++) {
                for (unsigned x = 0; x < grid.x; x++) {
                    blockIdx = {x, y, z};
                    dynamic_shared.assign(shared_bytes + 16, (char) 0xff);
                    run_block(b);
                }
            }
        }
    } catch (...) {
        block = outer;
        throw;
    }
    block = outer;
}

template <typename T>
inline uint64_t bits(T v) {
    uint64_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    return u;
}

template <typename T>
inline T from_bits(uint64_t u) {
    T v;
    std::memcpy(&v, &u, sizeof(T));
    return v;
}

}  // namespace emu

inline void __syncthreads() {
    emu::block->fibers[emu::block->current].state = emu::AT_BARRIER;
    emu::yield();
}

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask) {
    return emu::from_bits<T>(emu::warp_op(mask, emu::SHFL_XOR, emu::bits(v), lane_mask));
}

template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta) {
    return emu::from_bits<T>(emu::warp_op(mask, emu::SHFL_UP, emu::bits(v), (int) delta));
}

inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return (unsigned) emu::warp_op(mask, emu::BALLOT, predicate ? 1 : 0, 0);
}

template <typename T>
inline T __ldg(const T* p) {
    return *p;
}

template <typename T>
inline T __ldcg(const T* p) {
    return *p;
}

inline void __threadfence() {
}

template <typename T>
inline T atomicAdd(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}

inline unsigned __float_as_uint(float f) { return emu::from_bits<unsigned>(emu::bits(f)); }
inline float __uint_as_float(unsigned u) { return emu::from_bits<float>(u); }
inline int __float_as_int(float f) { return emu::from_bits<int>(emu::bits(f)); }
inline float __int_as_float(int i) { return emu::from_bits<float>((uint32_t) i); }
inline long long __double_as_longlong(double d) { return emu::from_bits<long long>(emu::bits(d)); }
inline double __longlong_as_double(long long l) { return emu::from_bits<double>((uint64_t) l); }
inline unsigned long long __double2ull_rn(double d) { return (unsigned long long) std::nearbyint(d); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
