// The DeepSeek V3 and V3.2 (DSA indexer in the MTP layer too) multi-token-prediction layer against an
// independent torch composition of transformers' own decoder layer and RMSNorm
// (scripts/make_goldens.py, mtp_expected()): logits for
// every prompt row, one chained depth on the layer's own output, and the same logits whether the
// MTP rows are computed in one call or one at a time over their cache.
#include <gtest/gtest.h>

#include <cstring>

#include "model/golden_fixture.h"
#include "whale/core/error.h"
#include "whale/formats/safetensors/safetensors_file.h"
#include "whale/model/multi_token_predictor.h"
#include "whale/model/registry.h"
#include "whale/runtime/kv_cache/latent_cache.h"

namespace whale {
namespace {

using testing::load_golden;
using testing::max_relative_error;

// Same f32 arithmetic as the oracle, different summation order: observed ~1e-6, bound 1e-5 as for
// the main model's logits.
constexpr double mtp_tolerance = 1e-5;

template <typename T>
std::vector<T> read_tensor(const SafetensorsFile& file, const std::string& name) {
    const TensorView* view = file.find(name);
    WHALE_CHECK(view != nullptr, "golden tensor '", name, "' missing");
    std::vector<T> out(view->nbytes / sizeof(T));
    std::memcpy(out.data(), view->data, view->nbytes);
    return out;
}

class MtpTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        golden_ = load_golden(GetParam());
        model_ = load_causal_lm(golden_.model_dir);
        mtp_ = model_->mtp();
        ASSERT_NE(mtp_, nullptr);
        SafetensorsFile expected(std::string(WHALE_GOLDEN_DIR) + "/" + GetParam() + "/mtp_expected.safetensors");
        expected_logits_ = read_tensor<float>(expected, "mtp_logits");
        chain_token_ = read_tensor<int32_t>(expected, "mtp_chain_token").at(0);
        expected_chain_ = read_tensor<float>(expected, "mtp_chain_logits");
        d_ = model_->summary().hidden_size;
        cache_ = std::make_unique<LatentCache>(model_->cache_layout().extended_to(mtp_->cache_layer() + 1), 64);
        cache_->reserve(64);
    }

    // Runs the prompt through the main model; returns its final normed hidden states [T, D].
    std::vector<float> main_hidden() {
        const int64_t t = int64_t(golden_.tokens.size());
        std::vector<float> hidden(static_cast<size_t>(t * d_)), logits(static_cast<size_t>(golden_.vocab_size));
        ForwardBatch batch;
        batch.tokens = golden_.tokens.data();
        batch.sequences = {{cache_.get(), 0, t, false}};
        batch.final_hidden = hidden.data();
        model_->forward_batch(batch, logits.data(), pool_);
        return hidden;
    }

    // MTP rows [start, start + n): tokens [n] (t_{i+1}), hidden [n, D]; logits for every row.
    std::vector<float> predict(const int32_t* tokens, const float* hidden, int64_t start, int64_t n,
                               std::vector<float>* hidden_out = nullptr) {
        std::vector<float> logits(static_cast<size_t>(n * golden_.vocab_size)), out(static_cast<size_t>(n * d_));
        ForwardBatch batch;
        batch.tokens = tokens;
        batch.sequences = {{cache_.get(), start, n, true}};
        mtp_->predict(batch, hidden, out.data(), logits.data(), pool_);
        if (hidden_out) *hidden_out = out;
        return logits;
    }

    testing::Golden golden_;
    std::unique_ptr<CausalLM> model_;
    const MultiTokenPredictor* mtp_ = nullptr;
    std::vector<float> expected_logits_, expected_chain_;
    int32_t chain_token_ = -1;
    int64_t d_ = 0;
    std::unique_ptr<LatentCache> cache_;
    ThreadPool pool_{2};
};

TEST_P(MtpTest, LogitsMatchTheOracleForEveryPromptRow) {
    const std::vector<float> hidden = main_hidden();
    const int64_t rows = int64_t(golden_.tokens.size()) - 1;
    std::vector<float> logits = predict(golden_.tokens.data() + 1, hidden.data(), 0, rows);
    const double error = max_relative_error(logits, expected_logits_);
    RecordProperty("max_relative_error", std::to_string(error));
    EXPECT_LE(error, mtp_tolerance);
}

TEST_P(MtpTest, ChainedDepthOnItsOwnOutputMatchesTheOracle) {
    const std::vector<float> hidden = main_hidden();
    const int64_t rows = int64_t(golden_.tokens.size()) - 1;
    std::vector<float> own_hidden;
    std::vector<float> logits = predict(golden_.tokens.data() + 1, hidden.data(), 0, rows, &own_hidden);
    const float* last = logits.data() + (rows - 1) * golden_.vocab_size;
    EXPECT_EQ(int32_t(std::max_element(last, last + golden_.vocab_size) - last), chain_token_);
    std::vector<float> chained = predict(&chain_token_, own_hidden.data() + (rows - 1) * d_, rows, 1);
    EXPECT_LE(max_relative_error(chained, expected_chain_), mtp_tolerance);
}

TEST_P(MtpTest, RowByRowOverTheCacheEqualsOneCall) {
    const std::vector<float> hidden = main_hidden();
    const int64_t rows = int64_t(golden_.tokens.size()) - 1;
    std::vector<float> stepwise;
    for (int64_t i = 0; i < rows; ++i) {
        std::vector<float> row = predict(golden_.tokens.data() + 1 + i, hidden.data() + i * d_, i, 1);
        stepwise.insert(stepwise.end(), row.begin(), row.end());
    }
    EXPECT_LE(max_relative_error(stepwise, expected_logits_), mtp_tolerance);
}

TEST_P(MtpTest, FinalHiddenDoesNotChangeTheLogits) {
    const int64_t t = int64_t(golden_.tokens.size());
    std::vector<float> logits(static_cast<size_t>(t * golden_.vocab_size)), hidden(static_cast<size_t>(t * d_));
    ForwardBatch batch;
    batch.tokens = golden_.tokens.data();
    batch.sequences = {{cache_.get(), 0, t, true}};
    batch.final_hidden = hidden.data();
    model_->forward_batch(batch, logits.data(), pool_);
    EXPECT_LE(max_relative_error(logits, golden_.logits), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(MtpGoldens, MtpTest, ::testing::Values("v3", "v32_mtp"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(MtpAvailabilityTest, OnlyCheckpointsWithTheLayerHaveAPredictor) {
    EXPECT_NE(load_causal_lm(load_golden("v3").model_dir)->mtp(), nullptr);
    EXPECT_NE(load_causal_lm(load_golden("v32_mtp").model_dir)->mtp(), nullptr);
    EXPECT_EQ(load_causal_lm(load_golden("v2").model_dir)->mtp(), nullptr);
    EXPECT_EQ(load_causal_lm(load_golden("v32").model_dir)->mtp(), nullptr);
}

}  // namespace
}  // namespace whale
