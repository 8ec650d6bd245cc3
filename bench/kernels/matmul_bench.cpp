// Quantised matrix products at DeepSeek-V2-Lite's decode and prefill shapes, reported as weight
// GB/s (decode is bandwidth-bound: compare with the machine's read bandwidth) and token GMAC/s
// (prefill is compute-bound). Also the thread pool's cost per dispatch, which decode pays a few
// hundred times per token.
//   WHALE_BENCH_THREADS=2 build/bench/kernels/kernel_bench --benchmark_min_time=0.5
// On a shared machine read the CPU column with WHALE_BENCH_THREADS=1: it is the kernel's own cost.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/quant/q8_0_x8.h"
#include "whale/kernels/quant/quantize.h"

namespace whale {
namespace {

int bench_threads() {
    const char* value = std::getenv("WHALE_BENCH_THREADS");
    return value ? std::atoi(value) : 2;
}

ThreadPool& bench_pool() {
    static ThreadPool pool(bench_threads());
    return pool;
}

std::vector<float> gaussian(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

// A random Q8_0 weight [rows, cols]; the blocks live in `storage`.
WeightMatrix q8_0_matrix(std::vector<BlockQ8_0>& storage, int64_t rows, int64_t cols) {
    storage.resize(static_cast<size_t>(rows * cols / QK8_0));
    std::vector<float> row = gaussian(static_cast<size_t>(cols), 7);
    for (int64_t r = 0; r < rows; ++r) quantize_row_q8_0(&storage[size_t(r * cols / QK8_0)], row.data(), cols);
    WeightMatrix w;
    w.dtype = DType::DType_q8_0;
    w.rows = rows;
    w.cols = cols;
    w.data = storage.data();
    return w;
}

// args: rows, cols, tokens, interleaved (1: with the Q8_0x8 copy the GGUF loader makes, 0: plain rows)
void BM_MatmulQ8_0(benchmark::State& state) {
    const int64_t rows = state.range(0), cols = state.range(1), tokens = state.range(2);
    std::vector<BlockQ8_0> storage;
    WeightMatrix w = q8_0_matrix(storage, rows, cols);
    std::vector<BlockQ8_0x8> interleaved;
    if (state.range(3)) {
        interleaved.resize(q8_0_x8_bytes(rows, cols) / sizeof(BlockQ8_0x8));
        pack_q8_0_x8(interleaved.data(), storage.data(), rows, cols);
        w.q8_0_x8 = interleaved.data();
    }
    std::vector<float> x = gaussian(static_cast<size_t>(tokens * cols), 1), y(static_cast<size_t>(tokens * rows));
    for (auto _ : state) {
        matmul(y.data(), x.data(), tokens, w, bench_pool());
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["weight_GB/s"] = benchmark::Counter(double(w.bytes()) * double(state.iterations()) / 1e9,
                                                        benchmark::Counter::kIsRate);
    state.counters["GMAC/s"] = benchmark::Counter(double(rows * cols * tokens) * double(state.iterations()) / 1e9,
                                                   benchmark::Counter::kIsRate);
}
// Decode: expert gate/up (1408x2048), expert down (2048x1408), q_proj, o_proj, the lm_head; then
// a prefill-sized expert product (about 512·6/64 = 48 tokens per expert) and a dense projection.
BENCHMARK(BM_MatmulQ8_0)
    ->ArgsProduct({{1408}, {2048}, {1}, {0, 1}})
    ->ArgsProduct({{2048}, {1408}, {1}, {0, 1}})
    ->ArgsProduct({{3072}, {2048}, {1}, {0, 1}})
    ->ArgsProduct({{2048}, {2048}, {1}, {0, 1}})
    ->ArgsProduct({{102400}, {2048}, {1}, {0, 1}})
    ->ArgsProduct({{1408}, {2048}, {2, 48}, {0, 1}})
    ->ArgsProduct({{3072}, {2048}, {512}, {0, 1}})
    ->UseRealTime();

void BM_ThreadPoolDispatch(benchmark::State& state) {
    ThreadPool& pool = bench_pool();
    for (auto _ : state) pool.parallel_for(pool.size(), [](int64_t begin, int64_t) { benchmark::DoNotOptimize(begin); });
}
BENCHMARK(BM_ThreadPoolDispatch)->UseRealTime();

}  // namespace
}  // namespace whale

