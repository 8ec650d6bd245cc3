// Llama 3 RoPE scaling, linear scaling, the attn_factor spelling and rope-section parsing, against
// values from transformers' _compute_llama3_parameters and hand computation.
#include <gtest/gtest.h>

#include <cmath>

#include "whale/core/error.h"
#include "whale/model/blocks/rope_yarn.h"

namespace whale {
namespace {

RopeSettings llama3(double theta, int64_t original) {
    RopeSettings s;
    s.theta = theta;
    s.llama3 = true;
    s.factor = 8.0;
    s.low_freq_factor = 1.0;
    s.high_freq_factor = 4.0;
    s.original_max_position = original;
    return s;
}

std::string parse_error(const nlohmann::json& json) {
    try {
        rope_settings_from_config(ConfigFields(json, "config.json"));
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// theta 10000, head_dim 16, L0 = 64: wavelengths 2π·10000^(i/8) = 6.3, 19.9, 62.8, 198.7, ...
// against the bounds L0/4 = 16 and L0/1 = 64. By hand for pair 1: inv = 10000^(-1/8) = 0.316228,
// smooth = (64 / 19.869 - 1) / 3 = 0.740370, inv · ((1 - smooth) / 8 + smooth) = 0.244385.
TEST(RopeLlama3Test, TinyTableHasAllThreeRegimes) {
    RopeTable table(llama3(10000.0, 64), 16);
    const std::vector<float>& f = table.inv_freq();
    EXPECT_FLOAT_EQ(f[0], 1.0f);                 // short wavelength: kept
    EXPECT_FLOAT_EQ(f[1], 0.244384587f);         // between the bounds: smoothed
    EXPECT_FLOAT_EQ(f[2], 0.0130422562f);        // 62.8 < 64: smoothed, barely
    EXPECT_FLOAT_EQ(f[3], 0.00395284733f);       // 10000^(-3/8) / 8
    EXPECT_FLOAT_EQ(f[7], 3.95284733e-05f);
    EXPECT_FLOAT_EQ(table.attention_factor(), 1.0f);
}

// The released Llama 3.1 / R1-Distill-Llama settings: theta 500000, head_dim 128, L0 = 8192;
// pairs 29..34 lie between the bounds 2048 and 8192.
TEST(RopeLlama3Test, ReleasedSettingsMatchTransformers) {
    RopeTable table(llama3(500000.0, 8192), 128);
    const std::vector<float>& f = table.inv_freq();
    EXPECT_FLOAT_EQ(f[0], 1.0f);
    EXPECT_FLOAT_EQ(f[20], 0.0165604409f);
    EXPECT_FLOAT_EQ(f[28], 0.00321144611f);
    EXPECT_FLOAT_EQ(f[29], 0.00216657063f);
    EXPECT_FLOAT_EQ(f[30], 0.00137189368f);
    EXPECT_FLOAT_EQ(f[32], 0.000524846022f);
    EXPECT_FLOAT_EQ(f[34], 0.000178507791f);
    EXPECT_FLOAT_EQ(f[35], 9.55621217e-05f);
    EXPECT_FLOAT_EQ(f[63], 3.06892588e-07f);
}

TEST(RopeLlama3Test, ParsesReleasedSpelling) {
    RopeSettings s = rope_settings_from_config(ConfigFields(nlohmann::json::parse(R"({
      "rope_theta": 500000.0,
      "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                       "original_max_position_embeddings": 8192, "rope_type": "llama3"}})"), "config.json"));
    EXPECT_TRUE(s.llama3);
    EXPECT_FALSE(s.yarn);
    EXPECT_EQ(s.theta, 500000.0);
    EXPECT_EQ(s.factor, 8.0);
    EXPECT_EQ(s.high_freq_factor, 4.0);
    EXPECT_EQ(s.original_max_position, 8192);
}

TEST(RopeLlama3Test, MissingOrBadFieldsAreNamed) {
    nlohmann::json j = nlohmann::json::parse(R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0,
      "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192}})");
    for (const char* field : {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
        nlohmann::json broken = j;
        broken["rope_scaling"].erase(field);
        std::string message = parse_error(broken);
        EXPECT_NE(message.find(std::string("'rope_scaling.") + field + "'"), std::string::npos) << message;
    }
    j["rope_scaling"]["high_freq_factor"] = 1.0;
    EXPECT_NE(parse_error(j).find("rope_scaling.high_freq_factor"), std::string::npos);
    nlohmann::json unknown = nlohmann::json::parse(R"({"rope_scaling": {"rope_type": "longrope"}})");
    EXPECT_NE(parse_error(unknown).find("'longrope'"), std::string::npos);
}

TEST(RopeLlama3Test, LinearDividesEveryFrequency) {
    RopeSettings s = rope_settings_from_config(ConfigFields(
        nlohmann::json::parse(R"({"rope_parameters": {"rope_type": "linear", "factor": 4.0, "rope_theta": 10000}})"),
        "config.json"));
    RopeTable scaled(s, 8), plain(RopeSettings{}, 8);
    for (size_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(scaled.inv_freq()[i], plain.inv_freq()[i] / 4.0f);
}

TEST(RopeLlama3Test, DynamicIsPlainWithinTheTrainedContext) {
    RopeSettings s = rope_settings_from_config(ConfigFields(
        nlohmann::json::parse(R"({"rope_scaling": {"type": "dynamic", "factor": 2.0}})"), "config.json"));
    EXPECT_FALSE(s.yarn || s.llama3 || s.linear);
}

// R1-0528-Qwen3-8B: yarn factor 4 with attn_factor 1 / m(4, 1), so cos/sin keep magnitude 1.
TEST(RopeLlama3Test, AttnFactorMultipliesTheYarnMagnitude) {
    RopeSettings s = rope_settings_from_config(ConfigFields(nlohmann::json::parse(R"({
      "rope_theta": 1000000, "max_position_embeddings": 131072,
      "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768,
                       "attn_factor": 0.8782488562869419}})"), "config.json"));
    EXPECT_NEAR(RopeTable(s, 128).attention_factor(), 1.0f, 1e-6);
    s.attn_factor.reset();
    EXPECT_NEAR(RopeTable(s, 128).attention_factor(), yarn_mscale(4.0, 1.0), 1e-6);
}

}  // namespace
}  // namespace whale
