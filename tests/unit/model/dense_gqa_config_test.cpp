// qwen2 / llama / qwen3 config.json validation: defaults per model type, and every missing or
// inconsistent field is an error naming the field.
#include <gtest/gtest.h>

#include <cmath>

#include "whale/core/error.h"
#include "whale/model/dense_gqa/config.h"

namespace whale {
namespace {

// The shape of R1-Distill-Qwen-1.5B's config.json.
nlohmann::json valid_qwen2() {
    return nlohmann::json::parse(R"({
      "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 1536, "intermediate_size": 8960,
      "num_hidden_layers": 28, "num_attention_heads": 12, "num_key_value_heads": 2, "max_position_embeddings": 131072,
      "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 10000, "sliding_window": 4096,
      "use_sliding_window": false, "max_window_layers": 21, "tie_word_embeddings": false, "hidden_act": "silu",
      "bos_token_id": 151646, "eos_token_id": 151643})");
}

std::string error_for(const nlohmann::json& json) {
    try {
        dense_gqa_config_from_json(ConfigFields(json, "config.json"));
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

void expect_field(const nlohmann::json& json, const std::string& field) {
    std::string message = error_for(json);
    EXPECT_NE(message.find("'" + field + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("config.json"), std::string::npos) << message;
}

TEST(DenseGqaConfigTest, Qwen2Defaults) {
    DenseGqaConfig c = dense_gqa_config_from_json(ConfigFields(valid_qwen2(), "config.json"));
    EXPECT_EQ(c.head_dim, 128);
    EXPECT_TRUE(c.qkv_bias);
    EXPECT_FALSE(c.o_bias);
    EXPECT_FALSE(c.qk_norm);
    EXPECT_EQ(c.cache_width(), 2 * 2 * 128);
    EXPECT_FALSE(c.rope.yarn || c.rope.llama3 || c.rope.linear);
    EXPECT_FLOAT_EQ(c.softmax_scale(), float(1.0 / std::sqrt(128.0)));
    EXPECT_EQ(c.eos_token_ids, std::vector<int32_t>{151643});
}

TEST(DenseGqaConfigTest, LlamaAndQwen3Defaults) {
    nlohmann::json llama = valid_qwen2();
    llama["model_type"] = "llama";
    llama["attention_bias"] = false;
    DenseGqaConfig l = dense_gqa_config_from_json(ConfigFields(llama, "config.json"));
    EXPECT_FALSE(l.qkv_bias);
    EXPECT_FALSE(l.qk_norm);

    nlohmann::json qwen3 = valid_qwen2();
    qwen3["model_type"] = "qwen3";
    qwen3["head_dim"] = 96;
    DenseGqaConfig q = dense_gqa_config_from_json(ConfigFields(qwen3, "config.json"));
    EXPECT_EQ(q.head_dim, 96);
    EXPECT_TRUE(q.qk_norm);
    EXPECT_FALSE(q.qkv_bias);
    qwen3.erase("head_dim");
    EXPECT_EQ(dense_gqa_config_from_json(ConfigFields(qwen3, "config.json")).head_dim, 128);  // Qwen3Config default
}

TEST(DenseGqaConfigTest, MissingFieldIsNamed) {
    for (const char* field : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                              "num_attention_heads", "model_type"}) {
        nlohmann::json j = valid_qwen2();
        j.erase(field);
        expect_field(j, field);
    }
}

TEST(DenseGqaConfigTest, HeadsNotDivisibleByKvHeadsIsNamed) {
    nlohmann::json j = valid_qwen2();
    j["num_key_value_heads"] = 5;
    expect_field(j, "num_key_value_heads");
    EXPECT_NE(error_for(j).find("num_attention_heads = 12"), std::string::npos) << error_for(j);
}

TEST(DenseGqaConfigTest, InconsistentFieldsAreNamed) {
    nlohmann::json j = valid_qwen2();
    j["num_attention_heads"] = 10;  // 1536 / 10 is no head size
    j["num_key_value_heads"] = 2;
    expect_field(j, "num_attention_heads");
    j = valid_qwen2();
    j["head_dim"] = 63;
    expect_field(j, "head_dim");
    j = valid_qwen2();
    j["use_sliding_window"] = true;
    expect_field(j, "use_sliding_window");
    j = valid_qwen2();
    j["layer_types"] = {"full_attention", "sliding_attention"};
    expect_field(j, "layer_types");
    j = valid_qwen2();
    j["hidden_act"] = "gelu";
    expect_field(j, "hidden_act");
    j = valid_qwen2();
    j["num_key_value_heads"] = 0;
    expect_field(j, "num_key_value_heads");
}

}  // namespace
}  // namespace whale
