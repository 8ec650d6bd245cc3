// Speculative decoding inside the continuous-batching scheduler, on the v3 golden (real forward):
// greedy outputs of concurrent requests are identical with and without MTP drafting (drafts 1 and 3,
// and again from the prefix cache); with scripted drafters that know the answer or always miss it,
// acceptance is 100 % or 0 %, the output still identical, and every cache block comes back.
#include <gtest/gtest.h>

#include <thread>

#include "model/golden_fixture.h"
#include "whale/model/multi_token_predictor.h"
#include "whale/model/registry.h"
#include "whale/runtime/scheduler.h"

namespace whale {
namespace {

using testing::load_golden;

constexpr int n_generate = 24;

std::vector<int32_t> collect(GenerationStream& stream) {
    std::vector<GeneratedToken> got;
    FinishReason finish = FinishReason::FinishReason_none;
    while (finish == FinishReason::FinishReason_none) finish = stream.next(got, std::chrono::milliseconds(100));
    EXPECT_EQ(finish, FinishReason::FinishReason_length) << stream.error();
    std::vector<int32_t> ids;
    for (const GeneratedToken& t : got) ids.push_back(t.token);
    return ids;
}

class SpeculativeSchedulerTest : public ::testing::Test {
protected:
    void SetUp() override {
        golden_ = load_golden("v3");
        model_ = load_causal_lm(golden_.model_dir);
        const std::vector<int32_t>& t = golden_.tokens;
        prompts_ = {t, {t.begin(), t.begin() + 5}, {t.begin() + 2, t.end()}, {t.rbegin(), t.rend()}};
    }

    SchedulerOptions options(bool drafting) const {
        SchedulerOptions o;
        o.layout = model_->cache_layout();
        if (drafting) o.layout = o.layout.extended_to(model_->mtp()->cache_layer() + 1);
        o.vocab_size = golden_.vocab_size;
        o.max_context = 256;
        o.max_running = 4;
        o.block_positions = 4;  // small blocks: drafts cross block boundaries and get truncated
        o.n_blocks = 256;
        return o;
    }

    // Every prompt submitted at once; their outputs in prompt order.
    std::vector<std::vector<int32_t>> generate(Scheduler& scheduler, const std::vector<std::vector<int32_t>>& prompts) {
        std::vector<std::shared_ptr<GenerationStream>> streams;
        for (const auto& p : prompts) {
            GenerationRequest r;
            r.prompt = p;
            r.max_tokens = n_generate;
            r.ignore_eos = true;
            streams.push_back(scheduler.submit(r));
        }
        std::vector<std::vector<int32_t>> out;
        for (auto& s : streams) out.push_back(collect(*s));
        return out;
    }

    SchedulerStats idle_stats(const Scheduler& scheduler) {
        SchedulerStats stats = scheduler.stats();
        for (int i = 0; i < 200 && (stats.running > 0 || stats.queue_depth > 0); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            stats = scheduler.stats();
        }
        return stats;
    }

    testing::Golden golden_;
    std::unique_ptr<CausalLM> model_;
    std::vector<std::vector<int32_t>> prompts_;
    ThreadPool pool_{2};
};

TEST_F(SpeculativeSchedulerTest, MtpDraftingLeavesGreedyOutputUnchanged) {
    std::vector<std::vector<int32_t>> expected;
    {
        Scheduler plain(options(false), model_batch_forward(*model_, pool_));
        expected = generate(plain, prompts_);
    }
    for (int n_draft : {1, 3}) {
        Scheduler speculative(options(true), model_batch_forward(*model_, pool_),
                              model_batch_speculation(*model_, pool_, n_draft));
        EXPECT_EQ(generate(speculative, prompts_), expected) << "draft " << n_draft;
        EXPECT_EQ(generate(speculative, prompts_), expected) << "draft " << n_draft << ", prompts cached";
        SchedulerStats stats = idle_stats(speculative);
        EXPECT_GT(stats.drafted, 0);
        EXPECT_GT(stats.cached_prompt_tokens, 0);
        EXPECT_EQ(stats.blocks_used, stats.blocks_cached) << "only the prefix cache still holds blocks";
    }
}

// A drafter scripted from the known greedy answer of one request: its MTP "logits" are one-hot at
// the right token (shift 0) or at a wrong one (shift 1) for the position after each row.
BatchSpeculation scripted(const CausalLM& model, ThreadPool& pool, int n_draft, std::vector<int32_t> full,
                          int32_t shift, int64_t vocab) {
    BatchSpeculation s = model_batch_speculation(model, pool, n_draft);
    s.predict = [full, shift, vocab](const std::vector<BatchSequence>& rows, const float*, float*,
                                     float* logits) {
        for (size_t r = 0; r < rows.size(); ++r) {
            // The last row sits at position p and pairs h_p with t_{p+1}: it predicts t_{p+2}.
            const int64_t p = rows[r].start_position + rows[r].n_tokens - 1;
            const int32_t right = size_t(p + 2) < full.size() ? full[size_t(p + 2)] : 0;
            std::fill(logits + r * size_t(vocab), logits + (r + 1) * size_t(vocab), 0.0f);
            logits[r * size_t(vocab) + size_t((right + shift) % vocab)] = 10.0f;
        }
    };
    return s;
}

TEST_F(SpeculativeSchedulerTest, ScriptedDraftersExerciseAcceptanceAndRollback) {
    const std::vector<std::vector<int32_t>> one = {prompts_[0]};
    std::vector<int32_t> answer;
    {
        Scheduler plain(options(false), model_batch_forward(*model_, pool_));
        answer = generate(plain, one).front();
    }
    std::vector<int32_t> full = prompts_[0];
    full.insert(full.end(), answer.begin(), answer.end());
    for (int32_t shift : {0, 1}) {
        Scheduler speculative(options(true), model_batch_forward(*model_, pool_),
                              scripted(*model_, pool_, 3, full, shift, golden_.vocab_size));
        EXPECT_EQ(generate(speculative, one).front(), answer) << "shift " << shift;
        SchedulerStats stats = idle_stats(speculative);
        EXPECT_GT(stats.drafted, 0);
        EXPECT_EQ(stats.accepted, shift == 0 ? stats.drafted : 0) << "shift " << shift;
        EXPECT_EQ(stats.blocks_used, stats.blocks_cached);
    }
}

}  // namespace
}  // namespace whale
