// Family names, and the family of a chat template (tokenizer_config.json contents). Which format a
// model directory selects is the model layer's (tests/unit/model/chat_format_detection_test.cpp).
#include <gtest/gtest.h>

#include "support/chat_templates.h"
#include "whale/chat/chat_format.h"
#include "whale/core/error.h"

namespace whale {
namespace {

using testing::tokenizer_config_with;

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

TEST(ChatFormat, TemplateFamilies) {
    EXPECT_EQ(chat_format_from_template(tokenizer_config_with("deepseek-v3.jinja"), "m"), ChatFormat::ChatFormat_v3);
    EXPECT_EQ(chat_format_from_template(tokenizer_config_with("deepseek-r1.jinja"), "m"), ChatFormat::ChatFormat_r1);
    EXPECT_EQ(chat_format_from_template(tokenizer_config_with("deepseek-v3.1.jinja"), "m"), ChatFormat::ChatFormat_v3_1);
    EXPECT_EQ(chat_format_from_template(tokenizer_config_with("deepseek-r1-distill.jinja"), "m"),
              ChatFormat::ChatFormat_r1_distill);
}

TEST(ChatFormat, NoTemplateIsNoFormat) {
    EXPECT_EQ(chat_format_from_template("", "m"), std::nullopt);
    EXPECT_EQ(chat_format_from_template("{}", "m"), std::nullopt);
}

TEST(ChatFormat, ForeignTemplateOrBadJsonIsAClearError) {
    EXPECT_THROW(chat_format_from_template(R"({"chat_template": "{{ messages }}"})", "m"), Error);
    EXPECT_THROW(chat_format_from_template("not json", "m"), Error);
}

}  // namespace
}  // namespace whale
