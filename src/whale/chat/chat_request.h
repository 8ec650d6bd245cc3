// An OpenAI-style chat request ({messages, tools}) and the options that shape its prompt.
// Parsing validates everything the renderers rely on, so a renderer never meets a message it
// cannot place: unknown roles, tool results without tool_call_id and non-string content are
// rejected here with the message index and field named.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace whale {

enum class ChatRole { ChatRole_system, ChatRole_user, ChatRole_assistant, ChatRole_tool };

struct ChatToolCall {
    std::string id;
    std::string type = "function";
    std::string name;
    std::string arguments;  // JSON text exactly as the request gave it
};

struct ChatMessage {
    ChatRole role = ChatRole::ChatRole_user;
    std::optional<std::string> content;  // nullopt: JSON null (an assistant turn that only calls tools)
    std::string reasoning_content;       // also read from "reasoning" (vLLM's name for it)
    std::vector<ChatToolCall> tool_calls;
    std::string tool_call_id;            // tool results only
    std::string name;
    bool prefix = false;                 // DeepSeek's chat-prefix completion: continue this message
};

struct ChatRequest {
    std::vector<ChatMessage> messages;
    nlohmann::ordered_json tools = nlohmann::ordered_json::array();  // OpenAI tool objects, key order kept
};

enum class ReasoningEffort { ReasoningEffort_default, ReasoningEffort_high, ReasoningEffort_max };

struct ChatOptions {
    bool thinking = false;
    ReasoningEffort reasoning_effort = ReasoningEffort::ReasoningEffort_default;
    bool add_generation_prompt = true;
};

// Parses {messages, tools}; other request fields are ignored. Throws whale::Error naming the
// offending message and field.
ChatRequest parse_chat_request(const nlohmann::ordered_json& request);
ChatRequest parse_chat_request_text(const std::string& text);

// "high" | "max"; anything else is an error listing both.
ReasoningEffort reasoning_effort_from_name(const std::string& name);

// True when the final message is an assistant turn marked "prefix": the prompt then ends inside
// that message (no EOS, no generation prompt) so the model continues it.
bool chat_request_is_prefill(const ChatRequest& request);

}  // namespace whale
