// Speculative decoding of one sequence on the v3 golden (which carries an MTP layer), through the
// scheduler every command generates with: greedy output with drafts of 1, 2 and 3 tokens is token for
// token the plain greedy output; drafters that are always right and always wrong drive acceptance to
// 100 % and 0 % with the same output; after rollbacks the cache rows give the logits, and the MTP
// rows the drafts, of a fresh computation.
#include <gtest/gtest.h>

#include <cmath>

#include "model/golden_fixture.h"
#include "model/swapped_mtp.h"
#include "whale/bench/speculation_benchmark.h"
#include "whale/core/error.h"
#include "whale/model/registry.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/scheduler.h"

namespace whale {
namespace {

using testing::load_golden;
using testing::max_relative_error;

constexpr int n_generate = 40;

struct Generated {
    std::vector<GeneratedToken> tokens;
    int64_t cached_tokens = 0;
    std::vector<int32_t> ids() const {
        std::vector<int32_t> out;
        for (const GeneratedToken& t : tokens) out.push_back(t.token);
        return out;
    }
};

class SpeculativeTest : public ::testing::Test {
protected:
    void SetUp() override {
        golden_ = load_golden("v3");
        engine_ = Engine::create(load_causal_lm(golden_.model_dir), engine_options());
        Scheduler plain(*engine_, options(0));
        plain_ = generate(plain, golden_.tokens).ids();
    }

    static EngineOptions engine_options() {
        EngineOptions options;
        options.n_threads = 2;
        return options;
    }

    static SchedulerOptions options(int n_draft) {
        SchedulerOptions o;
        o.n_draft = n_draft;
        o.max_running = 1;
        o.max_context = 256;
        o.n_blocks = 64;
        return o;
    }

    static Generated generate(Scheduler& scheduler, const std::vector<int32_t>& prompt, int max_tokens = n_generate,
                              const SamplerSettings& settings = {}, int top_logprobs = -1) {
        GenerationRequest r;
        r.prompt = prompt;
        r.max_tokens = max_tokens;
        r.ignore_eos = true;
        r.sampler = settings;
        r.top_logprobs = top_logprobs;
        auto stream = scheduler.submit(r);
        Generated out;
        FinishReason finish = FinishReason::FinishReason_none;
        while (finish == FinishReason::FinishReason_none) finish = stream->next(out.tokens, std::chrono::milliseconds(100));
        EXPECT_EQ(finish, FinishReason::FinishReason_length) << stream->error();
        out.cached_tokens = stream->cached_tokens();
        return out;
    }

    // The counters once the step that finished the last stream has ended.
    static SchedulerStats final_stats(Scheduler& scheduler) {
        scheduler.shutdown(std::chrono::steady_clock::now());
        return scheduler.stats();
    }

    std::unique_ptr<Engine> scripted_engine(int32_t shift) const {
        std::vector<int32_t> full = golden_.tokens;
        full.insert(full.end(), plain_.begin(), plain_.end());
        return Engine::create(testing::with_scripted_mtp(load_causal_lm(golden_.model_dir), full, shift),
                              engine_options());
    }

    testing::Golden golden_;
    std::unique_ptr<Engine> engine_;
    std::vector<int32_t> plain_;
};

TEST_F(SpeculativeTest, PlainGreedyMatchesTheGolden) {
    EXPECT_EQ(std::vector<int32_t>(plain_.begin(), plain_.begin() + long(golden_.greedy.size())), golden_.greedy);
}

TEST_F(SpeculativeTest, MtpGreedyEqualsPlainGreedyForEveryDraftLength) {
    for (int n_draft : {1, 2, 3}) {
        Scheduler speculative(*engine_, options(n_draft));
        EXPECT_EQ(generate(speculative, golden_.tokens).ids(), plain_) << "draft " << n_draft;
        const SchedulerStats stats = final_stats(speculative);
        EXPECT_GT(stats.drafted, 0);
        EXPECT_GT(stats.verifications, 0);
        RecordProperty("acceptance_draft_" + std::to_string(n_draft), std::to_string(stats.acceptance_rate()));
    }
}

// V3.2: the MTP layer's attention runs DSA with its own indexer (index_topk 5 < context).
TEST_F(SpeculativeTest, V32MtpGreedyEqualsPlainGreedy) {
    const testing::Golden golden = load_golden("v32_mtp");
    auto engine = Engine::load(golden.model_dir);
    SpeculationBenchmarkOptions options;
    options.prompt = golden.tokens;
    options.n_tokens = n_generate;
    options.n_draft = 2;
    SpeculationBenchmark bench = benchmark_speculation(*engine, options);
    EXPECT_TRUE(bench.outputs_identical);
    EXPECT_GT(bench.stats.drafted, 0);
}

TEST_F(SpeculativeTest, AlwaysRightDrafterAcceptsEverything) {
    auto engine = scripted_engine(0);
    Scheduler speculative(*engine, options(3));
    EXPECT_EQ(generate(speculative, golden_.tokens).ids(), plain_);
    const SchedulerStats stats = final_stats(speculative);
    EXPECT_EQ(stats.accepted, stats.drafted);
    EXPECT_DOUBLE_EQ(stats.acceptance_rate(), 1.0);
    // 39 tokens after the first, 4 per verification: 9 full ones and a final one of 3.
    EXPECT_EQ(stats.verifications, 10);
    EXPECT_DOUBLE_EQ(stats.tokens_per_forward(), 3.9);
}

TEST_F(SpeculativeTest, AlwaysWrongDrafterRollsEveryDraftBack) {
    auto engine = scripted_engine(1);
    Scheduler speculative(*engine, options(3));
    EXPECT_EQ(generate(speculative, golden_.tokens).ids(), plain_);
    // The cache past the rejected drafts was rolled back: a request continuing the answer, served
    // from the blocks this one left in the prefix cache, scores the next token as a fresh session.
    std::vector<int32_t> all = golden_.tokens;
    all.insert(all.end(), plain_.begin(), plain_.end());
    const Generated next = generate(speculative, all, 1, {}, 5);
    EXPECT_GT(next.cached_tokens, 0);
    const SchedulerStats stats = final_stats(speculative);
    EXPECT_EQ(stats.accepted, 0);
    // One token per verification; the last token leaves no room for a draft.
    EXPECT_EQ(stats.verifications, n_generate - 2);

    std::vector<float> logits = engine_->new_session()->append(all);
    std::vector<float> expected(logits.size());
    log_softmax(expected.data(), logits.data(), int64_t(logits.size()));
    ASSERT_EQ(next.tokens.size(), 1u);
    ASSERT_EQ(next.tokens[0].top.size(), 5u);
    for (const auto& [id, log_prob] : next.tokens[0].top)
        EXPECT_NEAR(log_prob, expected[size_t(id)], 1e-4) << "token " << id;
}

TEST_F(SpeculativeTest, SampledVerificationWithTopK1IsGreedy) {
    // top-k 1 makes p and q one-hot but runs the sampling path (distributions, rejection rule, residual).
    SamplerSettings settings;
    settings.temperature = 0.8f;
    settings.top_k = 1;
    settings.seed = 11;
    auto wrong = scripted_engine(5);
    for (int n_draft : {1, 3}) {
        Scheduler speculative(*engine_, options(n_draft));
        EXPECT_EQ(generate(speculative, golden_.tokens, n_generate, settings).ids(), plain_) << "draft " << n_draft;
        Scheduler scripted(*wrong, options(n_draft));
        EXPECT_EQ(generate(scripted, golden_.tokens, n_generate, settings).ids(), plain_);
        EXPECT_EQ(final_stats(scripted).accepted, 0);
    }
}

// A request served from the blocks of a run that rolled drafts back drafts exactly as one that
// computes every MTP row afresh: the rolled-back rows were rewritten.
TEST_F(SpeculativeTest, MtpRowsAfterRollbacksEqualAFreshComputation) {
    auto model = std::make_unique<testing::ModelWithMtp>(load_causal_lm(golden_.model_dir));
    auto owned_recorder = std::make_unique<testing::RecordingMtp>(*model->inner().mtp(), golden_.vocab_size);
    testing::RecordingMtp& recorder = *owned_recorder;
    model->set_mtp(std::move(owned_recorder));
    auto engine = Engine::create(std::move(model), engine_options());
    // Well inside what the first run computed and drafted from (its last few positions' MTP rows
    // are written only by a step that never came).
    std::vector<int32_t> prompt = golden_.tokens;
    prompt.insert(prompt.end(), plain_.begin(), plain_.begin() + 24);

    std::vector<float> warm, cold;
    {
        Scheduler scheduler(*engine, options(3));
        EXPECT_EQ(generate(scheduler, golden_.tokens).ids(), plain_);
        recorder.calls.clear();
        EXPECT_GT(generate(scheduler, prompt, 4).cached_tokens, 0);
        const SchedulerStats stats = final_stats(scheduler);
        ASSERT_LT(stats.accepted, stats.drafted) << "no rejection happened, so no rollback was exercised";
        ASSERT_FALSE(recorder.calls.empty());
        warm = recorder.calls.front();  // the follow-up's first draft, over cached MTP rows
    }
    recorder.calls.clear();
    {
        Scheduler scheduler(*engine, options(3));
        EXPECT_EQ(generate(scheduler, prompt, 4).cached_tokens, 0);
        ASSERT_FALSE(recorder.calls.empty());
        cold = recorder.calls.front();
    }
    EXPECT_LE(max_relative_error(warm, cold), 1e-5);
}

TEST_F(SpeculativeTest, BenchmarkReportsAcceptanceAndSpeedOfTheSameOutput) {
    SpeculationBenchmarkOptions options;
    options.prompt = golden_.tokens;
    options.n_tokens = n_generate;
    options.n_draft = 2;
    SpeculationBenchmark bench = benchmark_speculation(*engine_, options);
    RecordProperty("acceptance_rate", std::to_string(bench.stats.acceptance_rate()));
    RecordProperty("speedup", std::to_string(bench.speedup));
    EXPECT_TRUE(bench.outputs_identical);
    EXPECT_GT(bench.plain_tokens_per_second, 0.0);
    EXPECT_GT(bench.speculative_tokens_per_second, 0.0);
    EXPECT_NEAR(bench.speedup, bench.speculative_tokens_per_second / bench.plain_tokens_per_second, 1e-12);
    EXPECT_GT(bench.stats.drafted, 0);
    EXPECT_LE(bench.stats.accepted, bench.stats.drafted);
    // Every token after the first came from a verification (its accepted drafts plus one), but the
    // last when no room for a draft was left.
    EXPECT_GE(bench.stats.accepted + bench.stats.verifications, n_generate - 2);
    EXPECT_LE(bench.stats.accepted + bench.stats.verifications, n_generate - 1);
    options.prompt.clear();
    EXPECT_THROW(benchmark_speculation(*engine_, options), Error);
}

TEST_F(SpeculativeTest, ModelsWithoutMtpRefuseToDraft) {
    auto v2 = Engine::load(load_golden("v2").model_dir);
    EXPECT_FALSE(v2->has_mtp());
    try {
        Scheduler scheduler(*v2, options(1));
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("no multi-token-prediction layer"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace whale
