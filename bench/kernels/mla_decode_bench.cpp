// Absorbed MLA decode attention (one query token over a latent cache of `context` positions) at
// DeepSeek-V2-Lite's shape: H = 16, C = 512, Dr = 64, f32 latents (2.3 KiB per position per
// layer). Reports the cache bytes read per second; at 32K positions one layer's cache is 75 MB,
// past any cache level, so this is the memory- and compute-bound part of long-context decode.
// kv_b_proj and o_proj are Q8_0.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "support/mla_fixture.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/model/blocks/mla_attention.h"

namespace whale {
namespace {

void BM_MlaAbsorbedDecode(benchmark::State& state) {
    const int64_t context = state.range(0);
    const MlaShape s = testing::mla_shape(2048, 16, 512, 128, 64, 128, 0.07f);  // V2-Lite
    const char* threads = std::getenv("WHALE_BENCH_THREADS");
    ThreadPool pool(threads ? std::atoi(threads) : 2);

    // The fixture's f32 weights (scale 0.05), quantised to Q8_0 as a GGUF holds them.
    const testing::RandomMla mla(s, 0.05f, 0.05f);
    std::vector<BlockQ8_0> kv_b(mla.kv_b.size() / QK8_0);
    quantize_row_q8_0(kv_b.data(), mla.kv_b.data(), int64_t(mla.kv_b.size()));
    std::vector<BlockQ8_0> o_proj(mla.o_proj.size() / QK8_0);
    quantize_row_q8_0(o_proj.data(), mla.o_proj.data(), int64_t(mla.o_proj.size()));
    MlaWeights w;
    w.kv_b_proj.weight = WeightMatrix{DType::DType_q8_0, mla.w.kv_b_proj.weight.rows, s.kv_lora_rank, kv_b.data()};
    w.o_proj.weight = WeightMatrix{DType::DType_q8_0, s.hidden_size, s.n_heads * s.v_dim, o_proj.data()};

    testing::VectorLatentStore cache(context, s.cache_width(), 3);
    MlaQueries queries;
    queries.q = testing::gaussian(s.n_heads * s.qk_dim(), 4, 0.05f);
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
