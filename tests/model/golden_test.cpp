// Parity of the DeepSeek V2/V3 forward pass with transformers on every golden model (f32):
// logits at every position, the hidden state after every layer, 32 greedy tokens, and the
// agreement of incremental decode, chunked prefill and the absorbed MLA path with full prefill.
#include <gtest/gtest.h>

#include "model/golden_fixture.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/kv_cache/latent_cache.h"
#include "whale/runtime/sampling/sampler.h"

namespace whale {
namespace {

using testing::Golden;
using testing::load_golden;
using testing::max_relative_error;

constexpr double logit_tolerance = 1e-5;

class GoldenTest : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() {}
    void SetUp() override {
        golden_ = load_golden(GetParam());
        EngineOptions options;
        options.n_threads = 2;
        engine_ = Engine::load(golden_.model_dir, options);
    }

    std::vector<float> prefill(AttentionPath path) {
        auto session = engine_->new_session();
        AppendOptions options;
        options.all_logits = true;
        options.attention = path;
        return session->append(golden_.tokens, options);
    }

    Golden golden_;
    std::unique_ptr<Engine> engine_;
};

TEST_P(GoldenTest, LogitsMatchAtEveryPosition) {
    double error = max_relative_error(prefill(AttentionPath::AttentionPath_explicit), golden_.logits);
    RecordProperty("max_relative_error", std::to_string(error));
    EXPECT_LE(error, logit_tolerance);
}

TEST_P(GoldenTest, HiddenStateAfterEveryLayerMatches) {
    auto session = engine_->new_session();
    AppendOptions options;
    const int64_t d = engine_->model().hidden_size, t = int64_t(golden_.tokens.size());
    std::vector<std::vector<float>> hidden;
    options.on_layer_output = [&](int, const float* h) { hidden.emplace_back(h, h + t * d); };
    session->append(golden_.tokens, options);
    ASSERT_EQ(hidden.size(), golden_.hidden.size());
    for (size_t layer = 0; layer < hidden.size(); ++layer)
        EXPECT_LE(max_relative_error(hidden[layer], golden_.hidden[layer]), logit_tolerance) << "layer " << layer;
}

TEST_P(GoldenTest, AbsorbedAttentionEqualsExplicit) {
    std::vector<float> explicit_logits = prefill(AttentionPath::AttentionPath_explicit);
    EXPECT_LE(max_relative_error(prefill(AttentionPath::AttentionPath_absorbed), explicit_logits), logit_tolerance);
}

TEST_P(GoldenTest, IncrementalDecodeEqualsFullPrefill) {
    std::vector<float> full = prefill(AttentionPath::AttentionPath_explicit);
    const int64_t vocab = golden_.vocab_size;
    for (AttentionPath path : {AttentionPath::AttentionPath_absorbed, AttentionPath::AttentionPath_explicit}) {
        auto session = engine_->new_session();
        AppendOptions options;
        options.attention = path;
        std::vector<float> stepwise;
        for (int32_t token : golden_.tokens) {
            std::vector<float> logits = session->append({token}, options);
            stepwise.insert(stepwise.end(), logits.begin(), logits.end());
        }
        EXPECT_LE(max_relative_error(stepwise, full), logit_tolerance);
        EXPECT_EQ(session->position(), int64_t(golden_.tokens.size()));
    }
    // Chunked prefill: a prompt split in two calls attends over the first chunk's cache.
    auto session = engine_->new_session();
    AppendOptions options;
    options.all_logits = true;
    const size_t half = golden_.tokens.size() / 2;
    std::vector<float> first = session->append({golden_.tokens.begin(), golden_.tokens.begin() + long(half)}, options);
    std::vector<float> second = session->append({golden_.tokens.begin() + long(half), golden_.tokens.end()}, options);
    first.insert(first.end(), second.begin(), second.end());
    EXPECT_LE(max_relative_error(first, full), logit_tolerance);
    ASSERT_EQ(first.size(), size_t(vocab) * golden_.tokens.size());
}

TEST_P(GoldenTest, GreedyTokensIdentical) {
    auto session = engine_->new_session();
    std::vector<float> logits = session->append(golden_.tokens);
    std::vector<int32_t> generated;
    for (size_t i = 0; i < golden_.greedy.size(); ++i) {
        generated.push_back(argmax(logits.data(), golden_.vocab_size));
        logits = session->append({generated.back()});
    }
    EXPECT_EQ(generated, golden_.greedy);
}

TEST_P(GoldenTest, RewindReplaysTheSameLogits) {
    auto session = engine_->new_session();
    session->append(golden_.tokens);
    std::vector<float> before = session->append({golden_.greedy[0]});
    session->rewind(int64_t(golden_.tokens.size()));
    std::vector<float> after = session->append({golden_.greedy[0]});
    EXPECT_EQ(before, after);
}

TEST_P(GoldenTest, LatentCacheHoldsOnlyLatentAndRopeKey) {
    auto session = engine_->new_session();
    session->append(golden_.tokens);
    const ModelSummary& m = engine_->model();
    EXPECT_EQ(session->cache_bytes_per_token(), m.kv_values_per_token * int64_t(sizeof(float)));
    EXPECT_GE(session->cache_bytes_allocated(), session->cache_bytes_per_token() * int64_t(golden_.tokens.size()));
}

INSTANTIATE_TEST_SUITE_P(Goldens, GoldenTest, ::testing::ValuesIn(testing::golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(GoldenModelTest, V3LoadsItsMtpLayer) {
    auto engine = Engine::load(load_golden("v3").model_dir);
    EXPECT_GT(engine->model().n_params_mtp, 0);
    auto v2 = Engine::load(load_golden("v2").model_dir);
    EXPECT_EQ(v2->model().n_params_mtp, 0);
}

}  // namespace
}  // namespace whale

namespace whale {
namespace {

// Continuous batching: sequences at different positions advanced in one forward must give exactly
// what each gives alone (attention stays per sequence; only the weight reads are shared).
TEST_P(GoldenTest, BatchedSequencesEqualSeparateRuns) {
    const std::vector<int32_t> prompt_a = golden_.tokens;
    const std::vector<int32_t> prompt_b(golden_.tokens.begin() + 3, golden_.tokens.begin() + 8);
    auto alone_a = engine_->new_session(), alone_b = engine_->new_session();
    AppendOptions all;
    all.all_logits = true;
    std::vector<float> expected_a = alone_a->append(prompt_a, all);
    std::vector<float> expected_b = alone_b->append(prompt_b);
    std::vector<float> next_a = alone_a->append({7});
    std::vector<float> next_b = alone_b->append({9, 10}, all);

    // The scheduler's path: one StepBatch of both sequences, one Engine::forward.
    const int64_t vocab = engine_->model().vocab_size;
    LatentCache a(engine_->cache_layout(), 64), b(engine_->cache_layout(), 64);
    a.reserve(int64_t(prompt_a.size()) + 1);
    b.reserve(int64_t(prompt_b.size()) + 2);
    auto step = [&](StepBatch& batch) {
        std::vector<float> logits(static_cast<size_t>(batch.n_logit_rows() * vocab));
        engine_->forward(batch, logits.data());
        return logits;
    };
    auto rows = [&](const std::vector<float>& logits, int64_t from, int64_t n) {
        return std::vector<float>(logits.begin() + from * vocab, logits.begin() + (from + n) * vocab);
    };
    StepBatch first;
    first.add(a, 0, prompt_a, true);
    first.add(b, 0, prompt_b, false);
    const std::vector<float> first_logits = step(first);
    const int64_t n_a = int64_t(prompt_a.size());
    ASSERT_EQ(first.n_logit_rows(), n_a + 1);
    EXPECT_LE(max_relative_error(rows(first_logits, 0, n_a), expected_a), logit_tolerance);
    EXPECT_LE(max_relative_error(rows(first_logits, n_a, 1), expected_b), logit_tolerance);
    const std::vector<int32_t> b_next = {9, 10}, a_next = {7};
    StepBatch second;
    second.add(b, int64_t(prompt_b.size()), b_next, true);
    second.add(a, n_a, a_next, false);
    const std::vector<float> second_logits = step(second);
    ASSERT_EQ(second.n_logit_rows(), 3);
    EXPECT_LE(max_relative_error(rows(second_logits, 0, 2), next_b), logit_tolerance);
    EXPECT_LE(max_relative_error(rows(second_logits, 2, 1), next_a), logit_tolerance);
}

}  // namespace
}  // namespace whale
