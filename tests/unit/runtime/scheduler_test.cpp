// The continuous-batching scheduler against a fake model whose next token depends on every cache
// row of the sequence: a wrong block table, a bad prefix-cache hit or a botched preemption resume
// changes the output. Checks batching, prefix reuse, preemption, cancellation and block accounting.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "whale/runtime/scheduler.h"

namespace whale {
namespace {

constexpr int64_t vocab = 50;
constexpr int32_t eos = 0;

// Row 0 of each position holds its token; the next token is a hash of every row the sequence has.
int32_t next_token(const std::vector<int32_t>& tokens) {
    uint32_t h = 7;
    for (int32_t t : tokens) h = h * 31 + uint32_t(t);
    return int32_t(1 + h % (vocab - 1));  // never EOS
}

class FakeModel : public CausalLM {
public:
    FakeModel() {
        summary_.vocab_size = vocab;
        summary_.eos_token_ids = {eos};
        summary_.max_position = 512;
    }
    const ModelSummary& summary() const override { return summary_; }
    CacheLayout cache_layout() const override { return CacheLayout(2, {{CacheKind::CacheKind_latent, 2}}); }
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool&) const override {
        std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
        while (hold.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        max_batch = std::max<int>(max_batch, int(batch.sequences.size()));
        ++steps;
        const int32_t* tokens = batch.tokens;
        for (const SequenceInBatch& entry : batch.sequences) {
            for (int64_t i = 0; i < entry.n_tokens; ++i)
                for (int layer = 0; layer < 2; ++layer) entry.cache->row(layer, entry.start_position + i)[0] = float(tokens[i]);
            tokens += entry.n_tokens;
            std::vector<int32_t> seen;
            for (int64_t p = 0; p < entry.start_position + entry.n_tokens; ++p) seen.push_back(int32_t(entry.cache->row(1, p)[0]));
            std::fill(logits, logits + vocab, 0.0f);
            logits[next_token(seen)] = 10.0f;
            logits += vocab;
        }
    }

    mutable std::atomic<int> max_batch{0};
    mutable std::atomic<int> steps{0};
    int step_ms = 0;  // paces the fake so a test can act between steps
    std::atomic<bool> hold{false};  // while set, forwards wait: lets a test queue work deterministically

private:
    ModelSummary summary_;
};

// The fake inside an Engine, as the scheduler takes it; `model` stays reachable to pace it.
struct FakeEngine {
    FakeEngine() {
        auto owned = std::make_unique<FakeModel>();
        model = owned.get();
        EngineOptions options;
        options.n_threads = 1;
        engine = Engine::create(std::move(owned), options);
    }
    FakeModel* model = nullptr;
    std::unique_ptr<Engine> engine;
};

SchedulerOptions small_options(int64_t n_blocks, int max_running) {
    SchedulerOptions options;
    options.max_context = 512;
    options.max_running = max_running;
    options.block_positions = 4;
    options.n_blocks = n_blocks;
    options.max_batch_tokens = 16;
    return options;
}

std::vector<int32_t> expected_output(std::vector<int32_t> tokens, int n) {
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) {
        out.push_back(next_token(tokens));
        tokens.push_back(out.back());
    }
    return out;
}

std::vector<int32_t> collect(GenerationStream& stream, FinishReason* reason) {
    std::vector<GeneratedToken> got;
    FinishReason finish = FinishReason::FinishReason_none;
    while (finish == FinishReason::FinishReason_none) finish = stream.next(got, std::chrono::milliseconds(100));
    if (reason) *reason = finish;
    std::vector<int32_t> ids;
    for (const auto& t : got) ids.push_back(t.token);
    return ids;
}

// Streams finish inside a step; the scheduler's counters settle when the step ends.
SchedulerStats idle_stats(const Scheduler& scheduler) {
    SchedulerStats stats = scheduler.stats();
    for (int i = 0; i < 200 && (stats.running > 0 || stats.queue_depth > 0); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        stats = scheduler.stats();
    }
    return stats;
}

GenerationRequest request(std::vector<int32_t> prompt, int max_tokens) {
    GenerationRequest r;
    r.prompt = std::move(prompt);
    r.max_tokens = max_tokens;
    return r;
}

std::vector<int32_t> prompt_of(int n, int32_t seed) {
    std::vector<int32_t> p;
    for (int i = 0; i < n; ++i) p.push_back(int32_t(1 + (seed * 7 + i * 3) % (vocab - 1)));
    return p;
}

TEST(Scheduler, ConcurrentRequestsShareBatchesAndMatchTheReference) {
    FakeEngine fake;
    FakeModel& model = *fake.model;
    Scheduler scheduler(*fake.engine, small_options(256, 8));
    std::vector<std::shared_ptr<GenerationStream>> streams;
    model.hold = true;  // all eight are queued before the first can finish, however loaded the machine
    for (int i = 0; i < 8; ++i) streams.push_back(scheduler.submit(request(prompt_of(5 + 3 * i, i), 20)));
    model.hold = false;
    for (int i = 0; i < 8; ++i) {
        FinishReason reason;
        EXPECT_EQ(collect(*streams[size_t(i)], &reason), expected_output(prompt_of(5 + 3 * i, i), 20)) << "request " << i;
        EXPECT_EQ(reason, FinishReason::FinishReason_length);
    }
    EXPECT_GE(model.max_batch.load(), 4) << "decodes of running sequences share a forward";
}

TEST(Scheduler, FollowUpPromptHitsThePrefixCache) {
    FakeEngine fake;
    Scheduler scheduler(*fake.engine, small_options(64, 2));
    auto prompt = prompt_of(13, 3);
    auto first = collect(*scheduler.submit(request(prompt, 6)), nullptr);
    auto history = prompt;
    history.insert(history.end(), first.begin(), first.end());
    history.push_back(9);
    history.push_back(11);
    auto stream = scheduler.submit(request(history, 5));
    EXPECT_EQ(collect(*stream, nullptr), expected_output(history, 5));
    EXPECT_EQ(stream->cached_tokens(), 16) << "prompt + output rows up to the last full block are reused";
    EXPECT_EQ(scheduler.stats().cached_prompt_tokens, 16);
}

TEST(Scheduler, PreemptsTheNewestWhenBlocksRunOutAndResumesIt) {
    FakeEngine fake;
    FakeModel& model = *fake.model;
    // 10 blocks of 4 positions; three sequences each growing to 30 positions cannot all fit.
    Scheduler scheduler(*fake.engine, small_options(10, 3));
    std::vector<std::shared_ptr<GenerationStream>> streams;
    model.hold = true;  // all three must be queued before any finishes, however slow the machine
    for (int i = 0; i < 3; ++i) streams.push_back(scheduler.submit(request(prompt_of(6, 10 + i), 24)));
    model.hold = false;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(collect(*streams[size_t(i)], nullptr), expected_output(prompt_of(6, 10 + i), 24));
    SchedulerStats stats = idle_stats(scheduler);
    EXPECT_GT(stats.preemptions, 0);
    EXPECT_EQ(stats.running, 0);
    EXPECT_EQ(stats.blocks_used, stats.blocks_cached) << "only the prefix cache holds blocks when idle";
}

TEST(Scheduler, CancelledStreamsStopAndFreeTheirBlocks) {
    FakeEngine fake;
    FakeModel& model = *fake.model;
    model.step_ms = 2;
    Scheduler scheduler(*fake.engine, small_options(64, 1));
    auto running = scheduler.submit(request(prompt_of(5, 1), 200));
    auto queued = scheduler.submit(request(prompt_of(5, 2), 10));
    queued->cancel();
    std::vector<GeneratedToken> got;
    while (got.size() < 3) running->next(got, std::chrono::milliseconds(50));
    running->cancel();
    FinishReason reason;
    collect(*running, &reason);
    EXPECT_EQ(reason, FinishReason::FinishReason_cancelled);
    collect(*queued, &reason);
    EXPECT_EQ(reason, FinishReason::FinishReason_cancelled);
    auto after = scheduler.submit(request(prompt_of(5, 3), 4));
    EXPECT_EQ(collect(*after, nullptr), expected_output(prompt_of(5, 3), 4)) << "the server keeps serving";
    SchedulerStats stats = idle_stats(scheduler);
    EXPECT_EQ(stats.blocks_used, stats.blocks_cached);
}

TEST(Scheduler, RejectsPromptsThatCanNeverFit) {
    FakeEngine fake;
    Scheduler scheduler(*fake.engine, small_options(4, 1));
    EXPECT_THROW(scheduler.submit(request(prompt_of(40, 1), 4)), std::exception);
}

}  // namespace
}  // namespace whale
