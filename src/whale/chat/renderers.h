// One renderer per chat family (internal to whale_chat; use render_chat() from render_chat.h).
#pragma once

#include <string>

#include "whale/chat/chat_request.h"

namespace whale::chat_detail {

std::string render_v3(const ChatRequest& request, const ChatOptions& options);
std::string render_r1(const ChatRequest& request, const ChatOptions& options);
std::string render_r1_distill(const ChatRequest& request, const ChatOptions& options);
std::string render_v3_1(const ChatRequest& request, const ChatOptions& options);
std::string render_v3_2(const ChatRequest& request, const ChatOptions& options);
std::string render_v4(const ChatRequest& request, const ChatOptions& options);

// Jinja-era templates join message content with `+`; a null content there is a template error.
const std::string& content_or_fail(const ChatMessage& message, const char* family);

// Everything after the last (split(x)[-1]) or the first (split(x, 1)[1]) occurrence of `marker`;
// the whole text when it does not occur.
std::string after_last(const std::string& text, std::string_view marker);
std::string after_first(const std::string& text, std::string_view marker);

// All system messages joined with "\n\n" (V3, R1, V3.1 put them right after BOS).
std::string joined_system_prompts(const ChatRequest& request);

// V3/R1 tool call: "<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\nARGS\n```<｜tool▁call▁end｜>".
std::string legacy_tool_call(const ChatToolCall& call);

}  // namespace whale::chat_detail
