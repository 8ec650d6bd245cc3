// Google Benchmark micro-benchmarks of the kernels decode and prefill spend their time in, at
// DeepSeek-V2-Lite's shapes, per weight type (f32, bf16, q8_0, q4_k, q6_k):
//   matvec  one token (decode): memory bound, so reported as GB/s of weights streamed and as the
//           fraction `roofline` of the machine's read bandwidth, measured at start-up with the
//           same thread count by the streaming-read kernel (kernels/memory_bandwidth.h);
//   matmul  a 128-token batch (prefill): reported as FLOP/s (2 per multiply-add);
//   read    the streaming-read kernel itself over 1 GiB.
// Run: build/bench/kernels/kernel_bench [--benchmark_filter=matvec] (threads: WHALE_THREADS, default all).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <memory>
#include <vector>

#include "whale/core/dtype.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/memory_bandwidth.h"
#include "whale/core/random_normal.h"
#include "whale/model/gguf/quant_policy.h"

namespace {

using namespace whale;


std::string str_shape(const WeightMatrix& w) {
    return std::to_string(w.rows) + "x" + std::to_string(w.cols) + " " + std::string(dtype_name(w.dtype));
}

ThreadPool& pool() {
    static ThreadPool p(std::getenv("WHALE_THREADS") ? std::atoi(std::getenv("WHALE_THREADS")) : 0);
    return p;
}

double read_bandwidth_gb_per_s() {
    static const double gb = measure_read_bandwidth(pool(), size_t(1) << 30, 5).best_gb_per_s;
    return gb;
}

// A [rows, cols] weight of random N(0, 0.02²) values encoded as `dtype`, kept for the whole run.
const WeightMatrix& weight(DType dtype, int64_t rows, int64_t cols) {
    static std::map<std::tuple<int, int64_t, int64_t>, std::pair<std::unique_ptr<uint8_t[]>, WeightMatrix>> cache;
    auto& entry = cache[{int(dtype), rows, cols}];
    if (!entry.first) {
        const int64_t row_bytes = dtype_row_bytes(dtype, cols);
        entry.first.reset(new uint8_t[size_t(rows * row_bytes)]);
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
            random_normal_row(row.data(), cols, 0.02f, 7, uint64_t(dtype), uint64_t(r));
            gguf_encode_row(entry.first.get() + r * row_bytes, dtype, row.data(), cols);
        }
        entry.second = WeightMatrix{dtype, rows, cols, entry.first.get()};
    }
    return entry.second;
}

std::vector<float> activations(int64_t n) {
    std::vector<float> x(static_cast<size_t>(n));
    random_normal_row(x.data(), n, 1.0f, 11, 0, 0);
    return x;
}

// V2-Lite shapes [rows = out, cols = in]: the dense FFN's up projection (22 M weights, larger than
// the last-level cache in every type but the smallest), the query projection, one expert's gate.
constexpr int64_t shapes[][2] = {{10944, 2048}, {3072, 2048}, {1408, 2048}};

void matvec(benchmark::State& state, DType dtype) {
    const WeightMatrix& w = weight(dtype, shapes[state.range(0)][0], shapes[state.range(0)][1]);
    const std::vector<float> x = activations(w.cols);
    std::vector<float> y(static_cast<size_t>(w.rows));
    for (auto _ : state) {
        matmul(y.data(), x.data(), 1, w, pool());
        benchmark::DoNotOptimize(y.data());
    }
    const double bytes = double(w.bytes()) * double(state.iterations());
    state.SetBytesProcessed(int64_t(bytes));
    state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(w.rows * w.cols) * double(state.iterations()),
                                                  benchmark::Counter::kIsRate);
    state.counters["roofline"] = benchmark::Counter(bytes / 1e9 / read_bandwidth_gb_per_s(), benchmark::Counter::kIsRate);
    state.SetLabel(str_shape(w));
}

void matmul_batch(benchmark::State& state, DType dtype) {
    const int64_t n_tokens = 128;
    const WeightMatrix& w = weight(dtype, shapes[state.range(0)][0], shapes[state.range(0)][1]);
    const std::vector<float> x = activations(n_tokens * w.cols);
    std::vector<float> y(static_cast<size_t>(n_tokens * w.rows));
    for (auto _ : state) {
        matmul(y.data(), x.data(), n_tokens, w, pool());
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(int64_t(double(w.bytes()) * double(state.iterations())));
    state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(n_tokens * w.rows * w.cols) * double(state.iterations()),
                                                  benchmark::Counter::kIsRate);
    state.SetLabel(str_shape(w) + " x 128 tokens");
}

void read_bandwidth(benchmark::State& state) {
    const size_t n = (size_t(1) << 30) / sizeof(uint64_t);
    std::unique_ptr<uint64_t[]> buffer(new uint64_t[n]);
    pool().parallel_for(int64_t(n), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) buffer[size_t(i)] = uint64_t(i);
    });
    for (auto _ : state) {
        pool().parallel_for(int64_t(n), [&](int64_t b, int64_t e) {
            benchmark::DoNotOptimize(memory_read_sum(buffer.get() + b, size_t(e - b)));
        });
    }
    state.SetBytesProcessed(int64_t(double(n * sizeof(uint64_t)) * double(state.iterations())));
    state.SetLabel(std::to_string(pool().size()) + " threads, 1 GiB");
}

}  // namespace

#define WHALE_WEIGHT_BENCH(fn, dtype)                                                                  \
    BENCHMARK_CAPTURE(fn, dtype, whale::DType::DType_##dtype)->DenseRange(0, 2)->UseRealTime()->Unit( \
        benchmark::kMillisecond)

WHALE_WEIGHT_BENCH(matvec, f32);
WHALE_WEIGHT_BENCH(matvec, bf16);
WHALE_WEIGHT_BENCH(matvec, q8_0);
WHALE_WEIGHT_BENCH(matvec, q4_k);
WHALE_WEIGHT_BENCH(matvec, q6_k);
WHALE_WEIGHT_BENCH(matmul_batch, f32);
WHALE_WEIGHT_BENCH(matmul_batch, bf16);
WHALE_WEIGHT_BENCH(matmul_batch, q8_0);
WHALE_WEIGHT_BENCH(matmul_batch, q4_k);
WHALE_WEIGHT_BENCH(matmul_batch, q6_k);
BENCHMARK(read_bandwidth)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
