// Which chat format a model's files select: the registry entry of config.json's model type against
// the chat template in tokenizer_config.json.
#include <gtest/gtest.h>

#include "support/chat_templates.h"
#include "whale/core/error.h"
#include "whale/model/chat_format_detection.h"

namespace whale {
namespace {

using testing::tokenizer_config_with;

TEST(ChatFormatDetection, DetectsFromTheChatTemplate) {
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-v3.jinja"), "m"), ChatFormat::ChatFormat_v3);
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-r1.jinja"), "m"), ChatFormat::ChatFormat_r1);
    EXPECT_EQ(detect_chat_format_from("", tokenizer_config_with("deepseek-v3.1.jinja"), "m"), ChatFormat::ChatFormat_v3_1);
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "qwen2"})", tokenizer_config_with("deepseek-r1-distill.jinja"), "m"),
              ChatFormat::ChatFormat_r1_distill);
}

TEST(ChatFormatDetection, ConfigModelTypeWinsForTemplateLessGenerations) {
    // Early V3.2 repos still carry the V3.1 template; the model type decides.
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "deepseek_v32"})", tokenizer_config_with("deepseek-v3.1.jinja"), "m"),
              ChatFormat::ChatFormat_v3_2);
    EXPECT_EQ(detect_chat_format_from(R"({"architectures": ["DeepseekV4ForCausalLM"]})", "", "m"), ChatFormat::ChatFormat_v4);
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "deepseek_v3"})", "{}", "m"), ChatFormat::ChatFormat_v3);
}

TEST(ChatFormatDetection, TemplateWinsWhereTheModelTypeOnlyFillsIn) {
    // V3 without a template is V3, but an R1 checkpoint (model_type deepseek_v3) says R1 in its template.
    EXPECT_EQ(detect_chat_format_from(R"({"model_type": "deepseek_v3"})", tokenizer_config_with("deepseek-r1.jinja"), "m"),
              ChatFormat::ChatFormat_r1);
    EXPECT_EQ(detect_chat_format_from(R"({"architectures": ["DeepseekV3ForCausalLM"]})", "", "m"), ChatFormat::ChatFormat_v3);
}

TEST(ChatFormatDetection, UndecidableIsAClearError) {
    EXPECT_THROW(detect_chat_format_from(R"({"model_type": "llama"})", "{}", "m"), Error);
    EXPECT_THROW(detect_chat_format_from(R"({"model_type": "deepseek_v2"})", "", "m"), Error);
    EXPECT_THROW(detect_chat_format_from("", R"({"chat_template": "{{ messages }}"})", "m"), Error);
    EXPECT_THROW(detect_chat_format_from("not json", "", "m"), Error);
    EXPECT_THROW(detect_model_chat_format("/nonexistent/model"), Error);
}

}  // namespace
}  // namespace whale
