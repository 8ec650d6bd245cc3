// Speculative decoding on the v3 golden (which carries an MTP layer): greedy output with drafts of
// 1, 2 and 3 tokens is token for token the plain greedy output; drafters that are always right and
// always wrong drive acceptance to 100 % and 0 % with the same output, and after rollbacks the
// session's cache and the MTP rows hold exactly what a fresh computation gives.
#include <gtest/gtest.h>

#include "model/golden_fixture.h"
#include "whale/core/error.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/speculative/mtp_drafter.h"
#include "whale/runtime/speculative/speculation_benchmark.h"
#include "whale/runtime/speculative/speculative_decoder.h"

namespace whale {
namespace {

using testing::load_golden;
using testing::max_relative_error;

constexpr int n_generate = 40;

// Proposes the continuation it is given (the model's own greedy output): every draft is right.
class ScriptedDrafter : public Drafter {
public:
    // continuation: the tokens after the prompt; shift 0 proposes them, shift s proposes (t + s) % V.
    ScriptedDrafter(std::vector<int32_t> prompt, std::vector<int32_t> continuation, int32_t shift, int64_t vocab)
        : prompt_size_(int64_t(prompt.size())), continuation_(std::move(continuation)), shift_(shift), vocab_(vocab) {}

    std::vector<int32_t> propose(const DraftContext& ctx, int n_draft, const ChooseDraft& choose) override {
        // The pending token is continuation[k]; drafts continue from k + 1.
        const int64_t k = ctx.session.position() - prompt_size_;
        std::vector<int32_t> drafts;
        for (int i = 0; i < n_draft && size_t(k + 1 + i) < continuation_.size(); ++i) {
            std::vector<float> logits(static_cast<size_t>(vocab_), -1e30f);  // one-hot scores
            logits[size_t((continuation_[size_t(k + 1 + i)] + shift_) % vocab_)] = 0.0f;
            drafts.push_back(choose(logits.data()));
        }
        return drafts;
    }

private:
    int64_t prompt_size_;
    std::vector<int32_t> continuation_;
    int32_t shift_;
    int64_t vocab_;
};

class SpeculativeTest : public ::testing::Test {
protected:
    void SetUp() override {
        golden_ = load_golden("v3");
        EngineOptions options;
        options.n_threads = 2;
        options.show_progress = false;
        engine_ = Engine::load(golden_.model_dir, options);
        plain_ = plain_greedy();
    }

    std::vector<int32_t> plain_greedy() {
        auto session = engine_->new_session();
        Sampler sampler(SamplerSettings{});
        std::vector<float> logits = session->append(golden_.tokens);
        std::vector<int32_t> out;
        for (int i = 0; i < n_generate; ++i) {
            out.push_back(sampler.sample(logits.data(), golden_.vocab_size));
            if (i + 1 < n_generate) logits = session->append({out.back()});
        }
        return out;
    }

    // Generates n_generate tokens with speculation; `session` is left holding all but the last.
    std::vector<int32_t> speculate(Session& session, Drafter& drafter, int n_draft, SpeculativeStats* stats,
                                   const SamplerSettings& settings = {}) {
        Sampler sampler(settings);
        SpeculativeDecoder decoder(session, sampler, drafter, n_draft);
        std::vector<int32_t> out = {decoder.start(golden_.tokens)};
        while (int(out.size()) < n_generate) {
            std::vector<int32_t> step = decoder.step(n_generate - int(out.size()));
            EXPECT_GE(step.size(), 1u);
            EXPECT_LE(step.size(), size_t(n_draft + 1));
            out.insert(out.end(), step.begin(), step.end());
            EXPECT_EQ(session.position(), int64_t(golden_.tokens.size() + out.size()) - 1);
        }
        *stats = decoder.stats();
        return out;
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
        auto session = engine_->new_drafting_session();
        MtpDrafter drafter(*engine_);
        SpeculativeStats stats;
        EXPECT_EQ(speculate(*session, drafter, n_draft, &stats), plain_) << "draft " << n_draft;
        EXPECT_GT(stats.drafted, 0);
        EXPECT_EQ(stats.generated, n_generate);
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
    auto session = engine_->new_session();
    ScriptedDrafter drafter(golden_.tokens, plain_, 0, golden_.vocab_size);
    SpeculativeStats stats;
    EXPECT_EQ(speculate(*session, drafter, 3, &stats), plain_);
    EXPECT_EQ(stats.accepted, stats.drafted);
    EXPECT_DOUBLE_EQ(stats.acceptance_rate(), 1.0);
    // 39 tokens after the first, 4 per step: 9 full steps and a final one of 3.
    EXPECT_EQ(stats.steps, 10);
}

TEST_F(SpeculativeTest, AlwaysWrongDrafterRollsEveryDraftBack) {
    auto session = engine_->new_session();
    ScriptedDrafter drafter(golden_.tokens, plain_, 1, golden_.vocab_size);
    SpeculativeStats stats;
    EXPECT_EQ(speculate(*session, drafter, 3, &stats), plain_);
    EXPECT_EQ(stats.accepted, 0);
    EXPECT_EQ(stats.steps, n_generate - 1);
    // The cache past the rejected drafts was rolled back: the next token's logits equal plain decode's.
    auto fresh = engine_->new_session();
    std::vector<int32_t> all = golden_.tokens;
    all.insert(all.end(), plain_.begin(), plain_.end());
    AppendOptions absorbed;
    absorbed.attention = AttentionPath::AttentionPath_absorbed;
    std::vector<float> expected = fresh->append(all, AppendOptions{});
    EXPECT_LE(max_relative_error(session->append({plain_.back()}, absorbed), expected), 1e-5);
}

TEST_F(SpeculativeTest, SampledVerificationWithTopK1IsGreedy) {
    // top-k 1 makes p and q one-hot but runs the sampling path (distributions, rejection rule, residual).
    SamplerSettings settings;
    settings.temperature = 0.8f;
    settings.top_k = 1;
    settings.seed = 11;
    for (int n_draft : {1, 3}) {
        auto session = engine_->new_drafting_session();
        MtpDrafter drafter(*engine_);
        SpeculativeStats stats;
        EXPECT_EQ(speculate(*session, drafter, n_draft, &stats, settings), plain_) << "draft " << n_draft;
        auto scripted_session = engine_->new_session();
        ScriptedDrafter wrong(golden_.tokens, plain_, 5, golden_.vocab_size);
        EXPECT_EQ(speculate(*scripted_session, wrong, n_draft, &stats, settings), plain_);
        EXPECT_EQ(stats.accepted, 0);
    }
}

// Records what the wrapped drafter saw and scored, to replay its last proposal on a fresh session.
class RecordingDrafter : public Drafter {
public:
    explicit RecordingDrafter(Drafter& inner) : inner_(inner) {}
    std::vector<int32_t> propose(const DraftContext& ctx, int n_draft, const ChooseDraft& choose) override {
        committed = ctx.session.tokens();
        next_token = ctx.next_token;
        logits.clear();
        return inner_.propose(ctx, n_draft, [&](const float* l) {
            logits.emplace_back(l, l + vocab);
            return choose(l);
        });
    }
    int64_t vocab = 0;
    std::vector<int32_t> committed;
    int32_t next_token = -1;
    std::vector<std::vector<float>> logits;

private:
    Drafter& inner_;
};

TEST_F(SpeculativeTest, MtpRowsAfterRollbacksEqualAFreshComputation) {
    auto session = engine_->new_drafting_session();
    MtpDrafter mtp(*engine_);
    RecordingDrafter recorder(mtp);
    recorder.vocab = golden_.vocab_size;
    SpeculativeStats stats;
    speculate(*session, recorder, 3, &stats);
    ASSERT_LT(stats.accepted, stats.drafted) << "no rejection happened, so no rollback was exercised";

    // Replay the last proposal from scratch: prefill the committed tokens, then draft once.
    auto fresh = engine_->new_drafting_session();
    std::vector<float> hidden;
    AppendOptions options;
    options.final_hidden = &hidden;
    fresh->append(recorder.committed, options);
    std::vector<std::vector<float>> replayed;
    MtpDrafter again(*engine_);
    DraftContext ctx{*fresh, recorder.next_token, hidden.data(), int64_t(recorder.committed.size())};
    again.propose(ctx, int(recorder.logits.size()), [&](const float* l) {
        replayed.emplace_back(l, l + golden_.vocab_size);
        return argmax(l, golden_.vocab_size);
    });
    ASSERT_EQ(replayed.size(), recorder.logits.size());
    for (size_t i = 0; i < replayed.size(); ++i)
        EXPECT_LE(max_relative_error(recorder.logits[i], replayed[i]), 1e-5) << "depth " << i + 1;
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
    EXPECT_EQ(bench.stats.generated, n_generate);
    EXPECT_GT(bench.stats.drafted, 0);
    EXPECT_LE(bench.stats.accepted, bench.stats.drafted);
    options.prompt.clear();
    EXPECT_THROW(benchmark_speculation(*engine_, options), Error);
}

TEST_F(SpeculativeTest, ModelsWithoutMtpRefuseToDraft) {
    auto v2 = Engine::load(load_golden("v2").model_dir);
    EXPECT_FALSE(v2->has_mtp());
    try {
        MtpDrafter drafter(*v2);
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("no multi-token-prediction layer"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace whale
