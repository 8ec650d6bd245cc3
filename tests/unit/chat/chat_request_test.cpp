// Bad requests fail with a clear whale::Error naming what was wrong; nothing crashes.
#include <gtest/gtest.h>

#include "whale/chat/render_chat.h"
#include "whale/core/error.h"

namespace whale {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_chat_request_text(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(ChatRequest, MalformedJsonIsAnError) {
    EXPECT_NE(error_of("{\"messages\": [").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("[1, 2]").find("JSON object"), std::string::npos);
    EXPECT_NE(error_of("{\"messages\": []}").find("non-empty"), std::string::npos);
}

TEST(ChatRequest, UnknownRoleNamesTheMessage) {
    const std::string e = error_of(R"({"messages": [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]})");
    EXPECT_NE(e.find("messages[1]"), std::string::npos) << e;
    EXPECT_NE(e.find("robot"), std::string::npos) << e;
}

TEST(ChatRequest, ToolResultNeedsToolCallId) {
    const std::string e = error_of(R"({"messages": [{"role": "tool", "content": "42"}]})");
    EXPECT_NE(e.find("tool_call_id"), std::string::npos) << e;
}

TEST(ChatRequest, ContentMustBeAString) {
    EXPECT_NE(error_of(R"({"messages": [{"role": "user", "content": 3}]})").find("must be a string"), std::string::npos);
    EXPECT_NE(error_of(R"({"messages": [{"role": "user"}]})").find("needs string content"), std::string::npos);
}

TEST(ChatRequest, OnlyTheFinalAssistantMessageCanBeAPrefix) {
    const std::string e = error_of(
        R"({"messages": [{"role": "assistant", "content": "a", "prefix": true}, {"role": "user", "content": "b"}]})");
    EXPECT_NE(e.find("final message"), std::string::npos) << e;
}

TEST(ChatRequest, DsmlNeedsObjectArguments) {
    const ChatRequest request = parse_chat_request_text(R"({"messages": [{"role": "user", "content": "a"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function",
         "function": {"name": "f", "arguments": "not json"}}]}]})");
    EXPECT_THROW(render_chat(ChatFormat::ChatFormat_v4, request, ChatOptions{}), Error);
    EXPECT_NO_THROW(render_chat(ChatFormat::ChatFormat_v3_1, request, ChatOptions{}));
}

}  // namespace
}  // namespace whale
