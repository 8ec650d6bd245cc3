// config.json validation: every missing or inconsistent field is an error naming the field.
#include <gtest/gtest.h>

#include "whale/core/error.h"
#include "whale/model/deepseek_v3/config.h"
#include "whale/model/deepseek_v2/generation.h"
#include "whale/model/deepseek_v3/generation.h"
#include "whale/model/deepseek_v3/weights.h"
#include "whale/model/deepseek_v32/generation.h"

namespace whale {
namespace {

nlohmann::json valid_v3() {
    return nlohmann::json::parse(R"({
      "model_type": "deepseek_v3", "vocab_size": 100, "hidden_size": 32, "intermediate_size": 64,
      "moe_intermediate_size": 16, "num_hidden_layers": 3, "num_attention_heads": 2, "q_lora_rank": 16,
      "kv_lora_rank": 8, "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8, "n_routed_experts": 8,
      "n_shared_experts": 1, "num_experts_per_tok": 2, "n_group": 4, "topk_group": 2, "first_k_dense_replace": 1,
      "routed_scaling_factor": 2.5, "rope_theta": 10000,
      "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                       "mscale": 1.0, "mscale_all_dim": 1.0}})");
}

std::string error_for(const nlohmann::json& json) {
    try {
        deepseek_config_from_json(ConfigFields(json, "config.json"), deepseek_v3_rules());
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(ConfigTest, ParsesV3WithDefaults) {
    DeepseekConfig c = deepseek_config_from_json(ConfigFields(valid_v3(), "config.json"), deepseek_v3_rules());
    EXPECT_EQ(c.scoring_func, ScoringFunc::ScoringFunc_sigmoid);
    EXPECT_EQ(c.topk_method, TopkMethod::TopkMethod_noaux_tc);
    EXPECT_TRUE(c.norm_topk_prob);
    EXPECT_TRUE(c.rope.yarn);
    EXPECT_FALSE(c.layer_is_moe(0));
    EXPECT_TRUE(c.layer_is_moe(1));
    EXPECT_EQ(c.latent_cache_width(), 12);
    EXPECT_NEAR(c.softmax_scale(), 1.873854 / std::sqrt(12.0), 1e-6);
}

TEST(ConfigTest, AcceptsTransformersV5RopeParameters) {
    nlohmann::json j = valid_v3();
    j.erase("rope_scaling");
    j.erase("rope_theta");
    j["rope_parameters"] = {{"rope_type", "yarn"}, {"rope_theta", 5000.0}, {"factor", 4.0},
                            {"original_max_position_embeddings", 1024}};
    DeepseekConfig c = deepseek_config_from_json(ConfigFields(j, "config.json"), deepseek_v3_rules());
    EXPECT_EQ(c.rope.theta, 5000.0);
    EXPECT_EQ(c.rope.factor, 4.0);
    EXPECT_EQ(c.rope.original_max_position, 1024);
}

TEST(ConfigTest, MissingFieldIsNamed) {
    for (const char* field : {"hidden_size", "kv_lora_rank", "vocab_size", "q_lora_rank", "moe_intermediate_size"}) {
        nlohmann::json j = valid_v3();
        j.erase(field);
        std::string message = error_for(j);
        EXPECT_NE(message.find(std::string("'") + field + "'"), std::string::npos) << message;
        EXPECT_NE(message.find("config.json"), std::string::npos) << message;
    }
}

TEST(ConfigTest, InconsistentFieldsAreNamed) {
    auto expect_field = [](nlohmann::json j, const char* field) {
        std::string message = error_for(j);
        EXPECT_NE(message.find(std::string("'") + field + "'"), std::string::npos) << field << ": " << message;
    };
    nlohmann::json j = valid_v3();
    j["n_group"] = 3;
    expect_field(j, "n_group");
    j = valid_v3();
    j["topk_group"] = 5;
    expect_field(j, "topk_group");
    j = valid_v3();
    j["num_experts_per_tok"] = 9;
    expect_field(j, "num_experts_per_tok");
    j = valid_v3();
    j["qk_rope_head_dim"] = 5;
    expect_field(j, "qk_rope_head_dim");
    j = valid_v3();
    j["hidden_size"] = "wide";
    expect_field(j, "hidden_size");
    j = valid_v3();
    j["rope_scaling"]["type"] = "longrope";
    expect_field(j, "rope_scaling.type");
    j = valid_v3();
    j["scoring_func"] = "relu";
    expect_field(j, "scoring_func");
    j = valid_v3();
    j["model_type"] = "llama";
    expect_field(j, "model_type");
}

TEST(ConfigTest, V2RulesGiveV2DefaultsAndARouterThatNeverRenormalises) {
    nlohmann::json j = valid_v3();
    j["model_type"] = "deepseek_v2";
    j["norm_topk_prob"] = true;
    j.erase("first_k_dense_replace");
    const DeepseekConfig c = deepseek_config_from_json(ConfigFields(j, "config.json"), deepseek_v2_rules());
    EXPECT_EQ(c.scoring_func, ScoringFunc::ScoringFunc_softmax);
    EXPECT_EQ(c.topk_method, TopkMethod::TopkMethod_greedy);
    EXPECT_EQ(c.first_k_dense_replace, 0);
    EXPECT_EQ(c.max_position_embeddings, 2048);
    EXPECT_EQ(c.tokenizer_pre, "deepseek-llm");
    EXPECT_TRUE(c.norm_topk_prob);
    EXPECT_FALSE(router_settings(c).normalize);
    j["model_type"] = "deepseek_v3";
    EXPECT_TRUE(router_settings(deepseek_config_from_json(ConfigFields(j, "config.json"), deepseek_v3_rules())).normalize);
}

TEST(ConfigTest, RulesOfAnotherGenerationAreRefused) {
    std::string message;
    try {
        deepseek_config_from_json(ConfigFields(valid_v3(), "config.json"), deepseek_v2_rules());
    } catch (const Error& e) {
        message = e.what();
    }
    EXPECT_NE(message.find("expected deepseek_v2"), std::string::npos) << message;
}

TEST(ConfigTest, V32RulesRequireTheIndexer) {
    nlohmann::json j = valid_v3();
    j["model_type"] = "deepseek_v32";
    EXPECT_THROW(deepseek_config_from_json(ConfigFields(j, "config.json"), deepseek_v32_rules()), Error);
    j["index_n_heads"] = 2;
    j["index_head_dim"] = 8;
    j["index_topk"] = 4;
    EXPECT_TRUE(deepseek_config_from_json(ConfigFields(j, "config.json"), deepseek_v32_rules()).has_indexer());
}

}  // namespace
}  // namespace whale
