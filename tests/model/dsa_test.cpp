// DeepSeek Sparse Attention really selects: with index_topk below the prompt length the output
// differs from dense attention, and with a budget covering every token it equals dense MLA.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/golden_fixture.h"
#include "support/temp_dir.h"
#include "whale/runtime/engine.h"

namespace whale {
namespace {

namespace fs = std::filesystem;

// The v32 golden model with a different index_topk in its config.json.
std::string with_topk(const testing::TempDir& dir, int64_t top_k) {
    const fs::path source = fs::path(WHALE_GOLDEN_DIR) / "v32" / "model";
    for (const auto& entry : fs::directory_iterator(source)) fs::copy(entry.path(), dir.path() / entry.path().filename());
    nlohmann::json config = nlohmann::json::parse(std::ifstream(source / "config.json"));
    config["index_topk"] = top_k;
    std::ofstream(dir.file("config.json")) << config.dump(2);
    return dir.path().string();
}

std::vector<float> all_logits(const std::string& model, const std::vector<int32_t>& tokens) {
    auto engine = Engine::load(model);
    auto session = engine->new_session();
    AppendOptions options;
    options.all_logits = true;
    return session->append(tokens, options);
}

TEST(DsaTest, SelectionChangesTheOutputOnlyWhenTheBudgetIsSmallerThanTheContext) {
    testing::Golden golden = testing::load_golden("v32");
    testing::TempDir dense_dir, tiny_dir;
    std::vector<float> sparse = all_logits(golden.model_dir, golden.tokens);
    std::vector<float> dense = all_logits(with_topk(dense_dir, 4096), golden.tokens);
    const int64_t vocab = golden.vocab_size;
    const int64_t top_k = 5;
    // Positions < top_k see at most top_k tokens: identical to dense there.
    std::vector<float> sparse_head(sparse.begin(), sparse.begin() + top_k * vocab);
    std::vector<float> dense_head(dense.begin(), dense.begin() + top_k * vocab);
    EXPECT_LE(testing::max_relative_error(sparse_head, dense_head), 1e-6);
    EXPECT_GT(testing::max_relative_error(sparse, dense), 1e-3);
    // A budget of one token per query is yet another function.
    EXPECT_GT(testing::max_relative_error(all_logits(with_topk(tiny_dir, 1), golden.tokens), sparse), 1e-3);
}

TEST(DsaTest, CacheRowHoldsTheIndexKeyToo) {
    auto engine = Engine::load(testing::load_golden("v32").model_dir);
    const CacheLayout layout = engine->cache_layout();
    EXPECT_EQ(layout.row_width(0), 32 + 16 + 32);  // kv_lora_rank + qk_rope_head_dim + index_head_dim
    EXPECT_EQ(layout.offset(0, CacheKind::CacheKind_index_key), 32 + 16);  // after the MLA latent
    EXPECT_EQ(engine->model().kv_values_per_token, layout.floats_per_position());
}

}  // namespace
}  // namespace whale
