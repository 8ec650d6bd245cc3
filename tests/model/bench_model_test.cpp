// Benchmark models (whale/bench): the V2-Lite bench config has V2-Lite's real dimensions and the
// 4.59 B parameters of 8 layers; a small config written as a random-weight GGUF (q8_0 and q4_k_m)
// and as an HF checkpoint (V3.2 with indexer, and without) loads as a model whose logits are
// finite, and reports fewer weight bytes per decoded token than it holds.
#include <gtest/gtest.h>

#include <cmath>

#include "support/temp_dir.h"
#include "whale/bench/bench_checkpoint.h"
#include "whale/bench/bench_gguf.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/deepseek_v2/generation.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/kv_cache/latent_cache.h"

namespace whale {
namespace {

using testing::TempDir;

void expect_finite_decode(const std::string& model) {
    EngineOptions options;
    options.n_threads = 2;
    options.show_progress = false;
    options.max_context = 64;
    auto engine = Engine::load(model, options);
    // Three real positions, twenty synthetic ones (what `whale bench --ctx` decodes after), one more.
    LatentCache cache(engine->cache_layout(), 64);
    cache.reserve(24);
    std::vector<float> logits(static_cast<size_t>(engine->model().vocab_size));
    const std::vector<int32_t> prompt = {5, 6, 7}, next = {9};
    StepBatch batch;
    batch.add(cache, 0, prompt, false);
    engine->forward(batch, logits.data());
    engine->fill_synthetic(cache, engine->cache_layout(), 3, 23, 1);
    batch.clear();
    batch.add(cache, 23, next, false);
    engine->forward(batch, logits.data());
    for (float v : logits) ASSERT_TRUE(std::isfinite(v));
    const ModelSummary& m = engine->model();
    EXPECT_GT(m.weight_bytes_per_token, 0);
    EXPECT_LT(m.weight_bytes_per_token, m.weight_bytes);
}

DeepseekConfig small_v2_lite_like() {
    nlohmann::json j = {
        {"model_type", "deepseek_v2"}, {"vocab_size", 512},       {"hidden_size", 256},
        {"intermediate_size", 512},    {"moe_intermediate_size", 256}, {"num_hidden_layers", 3},
        {"num_attention_heads", 4},    {"q_lora_rank", nullptr},  {"kv_lora_rank", 256},
        {"qk_nope_head_dim", 32},      {"qk_rope_head_dim", 32},  {"v_head_dim", 32},
        {"n_routed_experts", 8},       {"n_shared_experts", 1},   {"num_experts_per_tok", 2},
        {"first_k_dense_replace", 1},  {"rms_norm_eps", 1e-6},    {"max_position_embeddings", 4096},
        {"rope_theta", 10000},         {"bos_token_id", 300},     {"eos_token_id", 301},
    };
    return deepseek_config_from_json(ConfigFields(j, "small bench config"), deepseek_v2_rules());
}

TEST(BenchModel, V2LiteConfigHasTheRealDimensions) {
    const DeepseekConfig c = v2_lite_bench_config(8);
    EXPECT_EQ(c.hidden_size, 2048);
    EXPECT_EQ(c.num_attention_heads, 16);
    EXPECT_EQ(c.q_lora_rank, 0);
    EXPECT_EQ(c.kv_lora_rank, 512);
    EXPECT_EQ(c.n_routed_experts, 64);
    EXPECT_EQ(c.num_experts_per_tok, 6);
    EXPECT_EQ(c.intermediate_size, 10944);
    EXPECT_EQ(c.vocab_size, 102400);
    EXPECT_TRUE(c.rope.yarn);
    EXPECT_DOUBLE_EQ(c.rope.factor, 40.0);
}

TEST(BenchModel, RandomGgufLoadsWithLlamaCppKeysAndFiniteLogits) {
    TempDir dir;
    for (GgufFileType type : {GgufFileType::GgufFileType_q8_0, GgufFileType::GgufFileType_q4_k_m}) {
        const std::string path = dir.file(gguf_file_type_name(type) + ".gguf");
        const GgufWriteSummary s = write_bench_gguf(path, "small", small_v2_lite_like(), type, 1, false);
        EXPECT_GT(s.n_values, 0);
        GgufFile file(path);
        EXPECT_EQ(file.get_u64("deepseek2.attention.q_lora_rank"), 0u);
        EXPECT_EQ(file.get_string("tokenizer.ggml.model"), "gpt2");
        EXPECT_EQ(file.get_string("general.name"), "small");
        EXPECT_EQ(file.find_value("tokenizer.ggml.tokens")->array.size(), 512u);
        EXPECT_TRUE(file.find("blk.2.ffn_gate_exps.weight") != nullptr);
        expect_finite_decode(path);
    }
}

TEST(BenchModel, SameSeedSameFile) {
    TempDir dir;
    write_bench_gguf(dir.file("a.gguf"), "x", small_v2_lite_like(), GgufFileType::GgufFileType_q8_0, 7, false);
    write_bench_gguf(dir.file("b.gguf"), "x", small_v2_lite_like(), GgufFileType::GgufFileType_q8_0, 7, false);
    std::ifstream a(dir.file("a.gguf"), std::ios::binary), b(dir.file("b.gguf"), std::ios::binary);
    EXPECT_TRUE(std::equal(std::istreambuf_iterator<char>(a), {}, std::istreambuf_iterator<char>(b)));
}

TEST(BenchModel, V32CheckpointWithAndWithoutIndexerLoads) {
    TempDir dir;
    for (bool indexer : {true, false}) {
        nlohmann::json c = v32_bench_config(2, indexer);
        EXPECT_EQ(c["num_attention_heads"], 128);
        c["hidden_size"] = 256, c["num_attention_heads"] = 4, c["q_lora_rank"] = 64, c["kv_lora_rank"] = 64;
        c["qk_nope_head_dim"] = 16, c["qk_rope_head_dim"] = 16, c["v_head_dim"] = 16, c["vocab_size"] = 320;
        c["intermediate_size"] = 128;
        if (indexer) c["index_n_heads"] = 4, c["index_head_dim"] = 32, c["index_topk"] = 8;
        const std::string path = dir.file(indexer ? "v32" : "v3");
        write_bench_checkpoint(path, c, 3, false);
        expect_finite_decode(path);
    }
}

}  // namespace
}  // namespace whale
