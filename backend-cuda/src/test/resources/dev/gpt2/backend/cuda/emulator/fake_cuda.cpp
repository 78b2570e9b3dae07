// The CUDA driver API, cuBLAS and NVRTC as far as this backend uses them, on the CPU: one shared library that the
// tests link under the names libcuda.so.1, libcublas.so.13 and libnvrtc.so.13. "Device" memory is host memory
// (filled with NaN bytes when allocated), every call is synchronous, kernels run on the fiber emulator of
// emulator.h, and stream capture records launches, cuBLAS calls and copies (parameters copied at capture time, as the
// driver does) into a graph that cuGraphLaunch replays. Included after the kernels and EMU_KERNELS(X), the list of
// kernel names.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace fake {

struct Entry {
    const char* name;
    void* fn;
    void (*invoke)(void* fn, void** params);
    std::vector<size_t> sizes;
};

template <class... A>
struct Launcher {
    template <size_t... I>
    static void call(void* fn, void** p, std::index_sequence<I...>) {
        ((void (*)(A...)) fn)(*static_cast<std::remove_cv_t<A>*>(p[I])...);
    }
    static void invoke(void* fn, void** params) {
        call(fn, params, std::index_sequence_for<A...>{});
    }
};

template <class... A>
Entry entry(const char* name, void (*f)(A...)) {
    return Entry{name, (void*) f, &Launcher<A...>::invoke, {sizeof(A)...}};
}

#define FAKE_ENTRY(name) entry(#name, &name),
inline std::vector<Entry> entries = {EMU_KERNELS(FAKE_ENTRY)};

using Graph = std::vector<std::function<void()>>;
inline std::map<void*, Graph*> capturing;  // stream -> graph being captured; guarded by `lock`
inline std::mutex lock;
inline thread_local std::string last_error;

inline Graph* capture_of(void* stream) {
    std::lock_guard<std::mutex> guard(lock);
    auto it = capturing.find(stream);
    return it == capturing.end() ? nullptr : it->second;
}

// Runs `op` now, or records it when `stream` is being captured.
inline int run_or_record(void* stream, std::function<void()> op) {
    if (Graph* graph = capture_of(stream)) {
        graph->push_back(std::move(op));
        return 0;
    }
    try {
        op();
        return 0;
    } catch (const std::exception& e) {
        last_error = e.what();
        std::fprintf(stderr, "fake CUDA: %s\n", e.what());
        return 719;  // CUDA_ERROR_LAUNCH_FAILED
    }
}

inline float half_bits(const void* p, long i, int type) {
    uint16_t b = ((const uint16_t*) p)[i];
    if (type == 14) return emu::from_bits<float>((uint64_t) b << 16);
    return f16_to_f32(b);
}

inline double element(const void* p, long i, int type) {
    return type == 0 ? ((const float*) p)[i] : half_bits(p, i, type);
}

}  // namespace fake

typedef unsigned long long CUdeviceptr;

extern "C" {

// ---- driver API --------------------------------------------------------------------------------------------------

int cuInit(unsigned) { return 0; }
int cuDriverGetVersion(int* v) { *v = 13000; return 0; }
int cuDeviceGetCount(int* n) { *n = 1; return 0; }
int cuDeviceGet(int* d, int ordinal) { *d = ordinal; return 0; }
int cuDeviceGetName(char* name, int len, int) { std::snprintf(name, len, "Emulated GPU"); return 0; }
int cuDeviceGetAttribute(int* v, int attribute, int) {
    switch (attribute) {
        case 75: *v = 9; break;           // compute capability major
        case 76: *v = 0; break;           // minor
        case 16: *v = 2; break;           // multiprocessors
        case 97: *v = 232448; break;      // shared memory per block, opt-in
        default: *v = 1000;
    }
    return 0;
}
int cuDeviceTotalMem_v2(size_t* bytes, int) { *bytes = 16ull << 30; return 0; }
int cuDevicePrimaryCtxRetain(void** ctx, int) { static int context; *ctx = &context; return 0; }
int cuDevicePrimaryCtxRelease_v2(int) { return 0; }
int cuCtxSetCurrent(void*) { return 0; }
int cuMemGetInfo_v2(size_t* free, size_t* total) { *free = 64ull << 20; *total = 16ull << 30; return 0; }
int cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    size_t n = (bytes + 255) / 256 * 256;
    void* m = std::aligned_alloc(256, n == 0 ? 256 : n);
    if (!m) return 2;
    std::memset(m, 0xff, n);
    *p = (CUdeviceptr) m;
    return 0;
}
int cuMemFree_v2(CUdeviceptr p) { std::free((void*) p); return 0; }
int cuMemHostAlloc(void** p, size_t bytes, unsigned) { *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256); return 0; }
int cuMemFreeHost(void* p) { std::free(p); return 0; }
int cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* stream) {
    return fake::run_or_record(stream, [=] { std::memcpy((void*) dst, src, n); });
}
int cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* stream) {
    return fake::run_or_record(stream, [=] { std::memcpy(dst, (const void*) src, n); });
}
int cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void* stream) {
    return fake::run_or_record(stream, [=] { std::memcpy((void*) dst, (const void*) src, n); });
}
int cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n, void* stream) {
    return fake::run_or_record(stream, [=] { std::fill((unsigned*) dst, (unsigned*) dst + n, value); });
}
int cuModuleLoadData(void** module, const void*) { static int m; *module = &m; return 0; }
int cuModuleUnload(void*) { return 0; }
int cuModuleGetFunction(void** f, void*, const char* name) {
    for (fake::Entry& e : fake::entries) {
        if (std::strcmp(e.name, name) == 0) {
            *f = &e;
            return 0;
        }
    }
    return 500;  // CUDA_ERROR_NOT_FOUND
}
int cuFuncSetAttribute(void*, int, int) { return 0; }
int cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void* stream, void** params, void**) {
    fake::Entry* e = (fake::Entry*) f;
    // copy the parameter values now, as the driver does
    std::vector<std::vector<char>> values;
    for (size_t i = 0; i < e->sizes.size(); i++) {
        values.emplace_back((char*) params[i], (char*) params[i] + e->sizes[i]);
    }
    return fake::run_or_record(stream, [=] {
        std::vector<std::vector<char>> copy = values;
        std::vector<void*> p;
        for (auto& v : copy) p.push_back(v.data());
        emu::launch({gx, gy, gz}, {bx, by, bz}, shared, [&] { e->invoke(e->fn, p.data()); });
    });
}
int cuStreamCreate(void** stream, unsigned) { *stream = new int; return 0; }
int cuStreamDestroy_v2(void* stream) { delete (int*) stream; return 0; }
int cuStreamSynchronize(void*) { return 0; }
int cuEventCreate(void** event, unsigned) { *event = new double(0); return 0; }
int cuEventRecord(void* event, void*) {
    *(double*) event = std::chrono::duration<double, std::milli>(
            std::chrono::steady_clock::now().time_since_epoch()).count();
    return 0;
}
int cuEventSynchronize(void*) { return 0; }
int cuEventElapsedTime_v2(float* ms, void* start, void* end) { *ms = (float) (*(double*) end - *(double*) start); return 0; }
int cuEventElapsedTime(float* ms, void* start, void* end) { return cuEventElapsedTime_v2(ms, start, end); }
int cuEventDestroy_v2(void* event) { delete (double*) event; return 0; }
int cuStreamBeginCapture_v2(void* stream, int) {
    std::lock_guard<std::mutex> guard(fake::lock);
    if (fake::capturing.count(stream)) return 900;
    fake::capturing[stream] = new fake::Graph();
    return 0;
}
int cuStreamEndCapture(void* stream, void** graph) {
    std::lock_guard<std::mutex> guard(fake::lock);
    auto it = fake::capturing.find(stream);
    if (it == fake::capturing.end()) return 400;
    *graph = it->second;
    fake::capturing.erase(it);
    return 0;
}
int cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long) {
    *exec = new fake::Graph(*(fake::Graph*) graph);
    return 0;
}
int cuGraphLaunch(void* exec, void* stream) {
    for (auto& op : *(fake::Graph*) exec) {
        int r = fake::run_or_record(stream, op);
        if (r != 0) return r;
    }
    return 0;
}
int cuGraphExecDestroy(void* exec) { delete (fake::Graph*) exec; return 0; }
int cuGraphDestroy(void* graph) { delete (fake::Graph*) graph; return 0; }
int cuGetErrorName(int error, const char** text) {
    static thread_local std::string name;
    name = error == 719 ? "CUDA_ERROR_LAUNCH_FAILED (" + fake::last_error + ")" : "CUDA_ERROR_" + std::to_string(error);
    *text = name.c_str();
    return 0;
}

// ---- cuBLAS ------------------------------------------------------------------------------------------------------

struct FakeBlas {
    void* stream;
};
int cublasCreate_v2(void** handle) { *handle = new FakeBlas{nullptr}; return 0; }
int cublasDestroy_v2(void* handle) { delete (FakeBlas*) handle; return 0; }
int cublasSetStream_v2(void* handle, void* stream) { ((FakeBlas*) handle)->stream = stream; return 0; }
int cublasSetWorkspace_v2(void*, void*, size_t) { return 0; }
int cublasGetVersion_v2(void*, int* version) { *version = 130000; return 0; }
int cublasGemmEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* A, int atype,
                 int lda, const void* B, int btype, int ldb, const void* beta, void* C, int ctype, int ldc, int, int) {
    if (ctype != 0 || atype != btype || (atype != 0 && atype != 2 && atype != 14)) return 15;  // NOT_SUPPORTED
    float a = *(const float*) alpha, b = *(const float*) beta;
    return fake::run_or_record(((FakeBlas*) handle)->stream, [=] {
        float* c = (float*) C;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int l = 0; l < k; l++) {
                    double x = fake::element(A, transa ? l + (long) i * lda : i + (long) l * lda, atype);
                    double y = fake::element(B, transb ? j + (long) l * ldb : l + (long) j * ldb, btype);
                    acc += x * y;
                }
                float* at = c + i + (long) j * ldc;
                *at = (float) (a * acc + (b == 0 ? 0.0 : b * *at));
            }
        }
    });
}

// ---- NVRTC -------------------------------------------------------------------------------------------------------

int nvrtcVersion(int* major, int* minor) { *major = 0; *minor = 0; return 0; }
int nvrtcGetNumSupportedArchs(int* n) { *n = 5; return 0; }
int nvrtcGetSupportedArchs(int* archs) { int a[] = {75, 80, 86, 89, 90}; std::memcpy(archs, a, sizeof a); return 0; }
int nvrtcCreateProgram(void** program, const char*, const char*, int, const char* const*, const char* const*) {
    *program = new int;
    return 0;
}
int nvrtcDestroyProgram(void** program) { delete (int*) *program; return 0; }
int nvrtcCompileProgram(void*, int, const char* const*) { return 0; }
int nvrtcGetProgramLogSize(void*, size_t* n) { *n = 1; return 0; }
int nvrtcGetProgramLog(void*, char* log) { log[0] = 0; return 0; }
int nvrtcGetCUBINSize(void*, size_t* n) { *n = 8; return 0; }
int nvrtcGetCUBIN(void*, char* image) { std::memcpy(image, "EMULATED", 8); return 0; }
int nvrtcGetPTXSize(void*, size_t* n) { *n = 9; return 0; }
int nvrtcGetPTX(void*, char* image) { std::memcpy(image, "EMULATED", 9); return 0; }
const char* nvrtcGetErrorString(int) { return "NVRTC_ERROR"; }

}  // extern "C"
