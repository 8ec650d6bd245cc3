// Absorbed MLA decode attention (one query token over a latent cache of `context` positions) at
// DeepSeek-V2-Lite's shape: H = 16, C = 512, Dr = 64, f32 latents (2.3 KiB per position per
// layer). Reports the cache bytes read per second; at 32K positions one layer's cache is 75 MB,
// past any cache level, so this is the memory- and compute-bound part of long-context decode.
// kv_b_proj and o_proj are Q8_0.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/model/blocks/mla_attention.h"

namespace whale {
namespace {

class ContiguousStore : public LatentKvStore {
public:
    ContiguousStore(int64_t capacity, int64_t width) : width_(width), capacity_(capacity) {
        rows_.resize(static_cast<size_t>(capacity * width));
        std::mt19937 rng(3);
        std::normal_distribution<float> dist(0.0f, 1.0f);
        for (float& v : rows_) v = dist(rng);
    }
    float* row(int, int64_t position) override { return rows_.data() + position * width_; }
    int64_t capacity() const override { return capacity_; }

private:
    int64_t width_, capacity_;
    std::vector<float> rows_;
};

void BM_MlaAbsorbedDecode(benchmark::State& state) {
    const int64_t context = state.range(0);
    MlaShape s;
    s.hidden_size = 2048;
    s.n_heads = 16;
    s.kv_lora_rank = 512;
    s.nope_dim = 128;
    s.rope_dim = 64;
    s.v_dim = 128;
    s.softmax_scale = 0.07f;
    const char* threads = std::getenv("WHALE_BENCH_THREADS");
    ThreadPool pool(threads ? std::atoi(threads) : 2);

    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 0.05f);
    std::vector<float> kv_b_f32(static_cast<size_t>(s.n_heads * 256 * 512));
    for (float& v : kv_b_f32) v = dist(rng);
    std::vector<BlockQ8_0> kv_b(kv_b_f32.size() / QK8_0);
    for (size_t r = 0; r < kv_b_f32.size() / 512; ++r) quantize_row_q8_0(&kv_b[r * 16], &kv_b_f32[r * 512], 512);
    MlaWeights w;
    w.kv_b_proj.weight = WeightMatrix{DType::DType_q8_0, s.n_heads * 256, 512, kv_b.data()};
    std::vector<BlockQ8_0> o_proj(static_cast<size_t>(2048 * 2048 / QK8_0));
    for (size_t r = 0; r < 2048; ++r) quantize_row_q8_0(&o_proj[r * 64], &kv_b_f32[(r % 1024) * 2048], 2048);
    w.o_proj.weight = WeightMatrix{DType::DType_q8_0, 2048, 2048, o_proj.data()};

    ContiguousStore cache(context, s.cache_width());
    MlaQueries queries;
    queries.q.resize(static_cast<size_t>(s.n_heads * s.qk_dim()));
    for (float& v : queries.q) v = dist(rng);
    SequenceInBatch seq{&cache, context - 1, 1, false};
    BatchLayout layout;
    layout.n_tokens = 1;
    layout.positions = {context - 1};
    layout.caches = {&cache};
    layout.first_token = {0};
    layout.sequences = {seq};
    std::vector<float> out(2048);
    for (auto _ : state) {
        mla_attend(out.data(), queries, layout, w, s, 0, AttentionPath::AttentionPath_absorbed, {}, pool);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["cache_GB/s"] = benchmark::Counter(double(context * s.cache_width() * 4) * double(state.iterations()) / 1e9,
                                                       benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MlaAbsorbedDecode)->Arg(512)->Arg(4096)->Arg(32768)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace whale
