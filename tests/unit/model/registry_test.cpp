// The registry of generations: which model types load, which only `whale kv` and chat detection
// know, which GGUF files stand for which generation, and errors that list what is known.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"
#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_writer.h"
#include "whale/model/registry.h"

namespace whale {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// A metadata-only GGUF with general.architecture and, when given, Whale's model_type key.
std::string metadata_gguf(const testing::TempDir& dir, const std::string& architecture, const char* model_type) {
    const std::string path = dir.file("m.gguf");
    GgufWriter writer(path);
    writer.add_value("general.architecture", gguf_string(architecture));
    if (model_type) writer.add_value("whale.deepseek.model_type", gguf_string(model_type));
    writer.write_header();
    writer.finish();
    return path;
}

TEST(Registry, SupportedTypesAreTheLoadableOnes) {
    EXPECT_EQ(supported_model_types(),
              (std::vector<std::string>{"deepseek_v2", "deepseek_v3", "deepseek_v32", "qwen2", "llama", "qwen3"}));
    const ModelGeneration* v4 = find_model_generation("deepseek_v4");
    ASSERT_NE(v4, nullptr);
    EXPECT_EQ(v4->load, nullptr);
    EXPECT_NE(v4->kv_architecture, nullptr);
    EXPECT_EQ(find_model_generation("mistral"), nullptr);
}

TEST(Registry, FindsAConfigByModelTypeElseArchitecture) {
    EXPECT_STREQ(find_config_generation(nlohmann::json{{"model_type", "qwen3"}})->model_type, "qwen3");
    EXPECT_STREQ(find_config_generation(nlohmann::json{{"architectures", {"DeepseekV32ForCausalLM"}}})->model_type,
                 "deepseek_v32");
    EXPECT_EQ(find_config_generation(nlohmann::json{{"architectures", {"MistralForCausalLM"}}}), nullptr);
}

TEST(Registry, KvArchitectureComesFromTheEntry) {
    const nlohmann::json v4 = {{"model_type", "deepseek_v4"}, {"num_hidden_layers", 3}, {"num_attention_heads", 4},
                               {"head_dim", 64}, {"compress_ratios", {0, 4, 128, 4}}};
    const KvArchitecture a = kv_architecture_from_config(ConfigFields(v4, "config.json"));
    EXPECT_EQ(a.compress_ratios, (std::vector<int>{0, 4, 128}));
    EXPECT_EQ(a.v4_entry_dim, 64);
    const nlohmann::json v32 = {{"model_type", "deepseek_v32"}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                                {"kv_lora_rank", 16}, {"qk_rope_head_dim", 8}, {"qk_nope_head_dim", 8},
                                {"v_head_dim", 8}, {"index_head_dim", 32}, {"index_topk", 64}};
    const KvArchitecture b = kv_architecture_from_config(ConfigFields(v32, "config.json"));
    EXPECT_EQ(b.kv_lora_rank, 16);
    EXPECT_EQ(b.qk_head_dim, 16);
    EXPECT_EQ(b.index_head_dim, 32);
    const std::string message = error_of([] {
        kv_architecture_from_config(ConfigFields(nlohmann::json{{"model_type", "mistral"}}, "config.json"));
    });
    EXPECT_NE(message.find("'mistral'"), std::string::npos) << message;
    EXPECT_NE(message.find("deepseek_v4"), std::string::npos) << message;
}

TEST(Registry, GgufModelTypeFromWhalesKeyElseTheDefault) {
    testing::TempDir dir;
    EXPECT_EQ(gguf_model_type(GgufFile(metadata_gguf(dir, "deepseek2", "deepseek_v2"))), "deepseek_v2");
    EXPECT_EQ(gguf_model_type(GgufFile(metadata_gguf(dir, "deepseek2", nullptr))), "deepseek_v3");
    const std::string message = error_of([&] { gguf_model_type(GgufFile(metadata_gguf(dir, "llama", nullptr))); });
    EXPECT_NE(message.find("'llama'"), std::string::npos) << message;
    EXPECT_NE(message.find("deepseek2"), std::string::npos) << message;
}

TEST(Registry, ConvertRefusesAGenerationWithoutAGgufLayout) {
    testing::TempDir dir;
    dir.write("config.json", R"({"model_type": "deepseek_v32"})");
    const std::string message = error_of([&] {
        convert_to_gguf(dir.path().string(), dir.file("out.gguf"), GgufFileType::GgufFileType_f32, false);
    });
    EXPECT_NE(message.find("'deepseek_v32' has no GGUF layout"), std::string::npos) << message;
    EXPECT_NE(message.find("deepseek_v2, deepseek_v3"), std::string::npos) << message;
}

}  // namespace
}  // namespace whale
