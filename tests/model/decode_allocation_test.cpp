// Steady-state decode performs no heap allocation: after a prompt and a few warm-up steps, every
// further step (one token in, logits out, the next token sampled) allocates nothing on any thread,
// thread-pool workers included. Global operator new / delete are replaced by counting versions,
// which is why this test is an executable of its own.
//
// The measured window is honest about the KV cache: it crosses a cache block boundary
// (LatentCache::block_positions), and the session reserves every position the test decodes
// (Session::reserve) before the window opens. Without the reserve the step that crosses the
// boundary allocates the next block, by design; nothing else may allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

#include "model/golden_fixture.h"
#include "whale/model/registry.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/kv_cache/latent_cache.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/scheduler.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<int64_t> allocations{0};

void* allocate(std::size_t size, std::size_t alignment) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    if (size == 0) size = 1;
    if (alignment <= alignof(std::max_align_t)) return std::malloc(size);
    // aligned_alloc wants a size that is a multiple of the alignment.
    return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
    if (void* p = allocate(size, alignment)) return p;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new[](std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) { return allocate_or_throw(size, std::size_t(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return allocate_or_throw(size, std::size_t(a)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate(size, std::size_t(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate(size, std::size_t(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace whale {
namespace {

// Counts the allocations of every thread while it lives.
class AllocationWindow {
public:
    AllocationWindow() {
        allocations.store(0);
        counting.store(true);
    }
    ~AllocationWindow() { counting.store(false); }
    int64_t count() const { return allocations.load(); }
};

// The first decode step may still grow scratch buffers: prefill runs the explicit attention, so
// that step is the first to use the absorbed form's.
constexpr int n_warm_up = 1;
constexpr int n_measured = 24;  // steps that must allocate nothing

struct DecodeCase {
    std::string golden;
    std::string sampling;  // "greedy" or "top_p"
};

void PrintTo(const DecodeCase& c, std::ostream* out) { *out << c.golden << " " << c.sampling; }

SamplerSettings sampler_settings(const std::string& sampling) {
    SamplerSettings s;
    if (sampling == "top_p") {
        s.temperature = 0.8f;
        s.top_k = 40;
        s.top_p = 0.9f;
        s.min_p = 0.01f;
        s.repetition_penalty = 1.1f;
        s.presence_penalty = 0.2f;
        s.frequency_penalty = 0.1f;
        s.logit_bias = {{3, -1.0f}};
        s.seed = 7;
    }
    return s;
}

class DecodeAllocationTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(DecodeAllocationTest, SteadyDecodeStepAllocatesNothing) {
    const testing::Golden golden = testing::load_golden(GetParam().golden);
    EngineOptions options;
    options.n_threads = 4;  // more threads than cores too: workers claim chunks in any order
    options.show_progress = false;
    auto engine = Engine::load(golden.model_dir, options);
    auto session = engine->new_session();
    const int64_t vocab = engine->model().vocab_size;
    // The golden prompt repeated so that the measured steps cross into the cache's second block.
    std::vector<int32_t> prompt;
    while (int64_t(prompt.size()) < LatentCache::block_positions - n_measured / 2)
        prompt.insert(prompt.end(), golden.tokens.begin(), golden.tokens.end());
    prompt.resize(size_t(LatentCache::block_positions - n_measured / 2 - n_warm_up));
    const int64_t end = int64_t(prompt.size()) + n_warm_up + n_measured;
    session->reserve(end);
    Sampler sampler(sampler_settings(GetParam().sampling));
    sampler.accept_prompt(prompt);

    std::vector<float> logits;
    session->append(prompt, logits);
    int32_t token = 0;
    auto step = [&] {
        token = sampler.sample(logits.data(), vocab);
        sampler.accept(token);
        session->append(std::span<const int32_t>(&token, 1), logits);
    };
    for (int i = 0; i < n_warm_up; ++i) step();
    int64_t counted = 0;
    {
        AllocationWindow window;
        for (int i = 0; i < n_measured; ++i) step();
        counted = window.count();
    }
    EXPECT_EQ(counted, 0) << n_measured << " decode steps allocated " << counted << " times";
    EXPECT_EQ(session->position(), end);
}

std::string case_name(const ::testing::TestParamInfo<DecodeCase>& info) {
    return info.param.golden + "_" + info.param.sampling;
}

INSTANTIATE_TEST_SUITE_P(Goldens, DecodeAllocationTest,
                         ::testing::Values(DecodeCase{"v3", "greedy"}, DecodeCase{"v3", "top_p"},
                                           DecodeCase{"v3_bf16", "greedy"}, DecodeCase{"v3_fp8", "top_p"},
                                           DecodeCase{"v2_lite", "greedy"}, DecodeCase{"v2", "top_p"},
                                           DecodeCase{"v32", "greedy"}, DecodeCase{"r1_distill_llama", "top_p"}),
                         case_name);

// A model whose forwards wait for the test's go-ahead, one step at a time: the scheduler then runs
// exactly the steps a test allows, whatever the machine's load. Waiting allocates nothing.
class GatedModel : public CausalLM {
public:
    explicit GatedModel(std::unique_ptr<CausalLM> model) : model_(std::move(model)) {}
    const ModelSummary& summary() const override { return model_->summary(); }
    CacheLayout cache_layout() const override { return model_->cache_layout(); }
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const override {
        while (allowed.load() <= done.load()) std::this_thread::yield();
        model_->forward_batch(batch, logits, pool);
        ++done;
    }
    mutable std::atomic<int64_t> allowed{0};  // forwards the test lets run
    mutable std::atomic<int64_t> done{0};

private:
    std::unique_ptr<CausalLM> model_;
};

// The scheduler's steady batched decode step allocates nothing either, on any thread: building the
// batch, the one forward of every sequence's token, sampling each and handing it to its stream -
// for one sequence and for four decoded together (half of them greedy, half top-p). The measured
// steps cross a cache block boundary (16 positions); the block table is reserved at admission.
class SchedulerDecodeAllocationTest : public ::testing::TestWithParam<int> {};

TEST_P(SchedulerDecodeAllocationTest, SteadyBatchedStepAllocatesNothing) {
    const int n_sequences = GetParam();
    const testing::Golden golden = testing::load_golden("v3");
    auto owned = std::make_unique<GatedModel>(load_causal_lm(golden.model_dir));
    GatedModel& model = *owned;
    EngineOptions engine_options;
    engine_options.n_threads = 4;  // more threads than cores too: workers claim chunks in any order
    auto engine = Engine::create(std::move(owned), engine_options);
    SchedulerOptions options;
    options.max_running = n_sequences;
    options.max_context = 256;
    options.n_blocks = 64;
    Scheduler scheduler(*engine, options);
    std::vector<GenerationRequest> requests(static_cast<size_t>(n_sequences));
    for (int s = 0; s < n_sequences; ++s) {
        GenerationRequest& r = requests[size_t(s)];
        r.prompt = golden.tokens;
        r.prompt.push_back(int32_t(1 + s));  // no two share a prefix block
        r.max_tokens = 200;
        r.ignore_eos = true;
        r.sampler = sampler_settings(s % 2 ? "top_p" : "greedy");
    }
    std::vector<std::shared_ptr<GenerationStream>> streams = scheduler.submit_all(std::move(requests));
    std::vector<std::vector<GeneratedToken>> got(streams.size());
    for (auto& g : got) g.reserve(256);
    // Lets `steps` more forwards run, one at a time, reading every stream's token of each before the
    // next (a consumer that keeps up, as a steady state has it).
    auto run_steps = [&](int steps) {
        for (int i = 0; i < steps; ++i) {
            ++model.allowed;
            for (size_t s = 0; s < streams.size(); ++s)
                while (int64_t(got[s].size()) < model.allowed.load()) streams[s]->next(got[s], std::chrono::milliseconds(100));
        }
    };
    run_steps(1 + n_warm_up);  // the prompts' forward (all admitted together), then warm-up decode steps
    int64_t counted = 0;
    {
        AllocationWindow window;
        run_steps(n_measured);
        counted = window.count();
    }
    EXPECT_EQ(counted, 0) << n_measured << " scheduler steps of " << n_sequences << " sequences allocated " << counted
                          << " times";
    for (auto& stream : streams) stream->cancel();
    model.allowed.store(1 << 30);  // let the scheduler wind down
}

INSTANTIATE_TEST_SUITE_P(Sequences, SchedulerDecodeAllocationTest, ::testing::Values(1, 4));

// The counter itself works, on the calling thread and on others alike: otherwise the test above
// would pass vacuously. (Direct operator calls: a new-expression's allocation may be elided.)
TEST(AllocationWindowTest, CountsAllocationsOnEveryThread) {
    AllocationWindow window;
    ::operator delete(::operator new(16));
    EXPECT_EQ(window.count(), 1);
    std::thread other([] { ::operator delete(::operator new(16, std::align_val_t(64)), std::align_val_t(64)); });
    other.join();
    EXPECT_GE(window.count(), 2);  // that allocation, plus the std::thread's own state
}

}  // namespace
}  // namespace whale
