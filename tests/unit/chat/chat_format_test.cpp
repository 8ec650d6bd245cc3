// Family names and detection from config.json / tokenizer_config.json contents.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "whale/chat/chat_format.h"
#include "whale/core/error.h"

namespace whale {
namespace {

std::string tokenizer_config_with(const std::string& template_file) {
    std::ifstream in(std::string(WHALE_CHAT_TEMPLATE_DIR) + "/" + template_file);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json{{"chat_template", text.str()}}.dump();
}

TEST(ChatFormat, NamesRoundTrip) {
    for (const char* name : {"v3", "r1", "v3.1", "v3.2", "v4", "r1-distill"})
        EXPECT_STREQ(chat_format_name(chat_format_from_name(name)), name);
}

TEST(ChatFormat, UnknownNameListsTheValidOnes) {
    try {
        chat_format_from_name("v5");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("v3, r1, v3.1, v3.2, v4, r1-distill"), std::string::npos) << e.what();
    }
}

TEST(ChatFormat, DetectsFromTheChatTemplate) {
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-v3.jinja"), "m"), ChatFormat::ChatFormat_v3);
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-r1.jinja"), "m"), ChatFormat::ChatFormat_r1);
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-v3.1.jinja"), "m"), ChatFormat::ChatFormat_v3_1);
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "qwen2"})", tokenizer_config_with("deepseek-r1-distill.jinja"), "m"),
              ChatFormat::ChatFormat_r1_distill);
}

TEST(ChatFormat, ConfigModelTypeWinsForTemplateLessGenerations) {
    // Early V3.2 repos still carry the V3.1 template; the model type decides.
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "deepseek_v32"})", tokenizer_config_with("deepseek-v3.1.jinja"), "m"),
              ChatFormat::ChatFormat_v3_2);
    EXPECT_EQ(detect_chat_format_from(R"({"architectures": ["DeepseekV4ForCausalLM"]})", "", "m"), ChatFormat::ChatFormat_v4);
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "deepseek_v3"})", "{}", "m"), ChatFormat::ChatFormat_v3);
}

TEST(ChatFormat, UndecidableIsAClearError) {
    EXPECT_THROW(detect_chat_format_from(R"({"model_type": "llama"})", "{}", "m"), Error);
    EXPECT_THROW(detect_chat_format_from("", R"({"chat_template": "{{ messages }}"})", "m"), Error);
    EXPECT_THROW(detect_chat_format_from("not json", "", "m"), Error);
    EXPECT_THROW(detect_chat_format("/nonexistent/model"), Error);
}

}  // namespace
}  // namespace whale
