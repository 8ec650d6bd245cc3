// DeepSeek-V3, original Dec-2024 template, reproduced with its quirks because prompts must match
// byte for byte: only the first tool call of the whole conversation opens "<｜tool▁calls▁begin｜>"
// (the template never resets is_first), the closing "<｜tool▁calls▁end｜>" + EOS is written only
// after the 2nd+ call, an assistant message with content ignores its tool_calls, and only the first
// tool result of the conversation opens "<｜tool▁outputs▁begin｜>".
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

std::string render_v3(const ChatRequest& request, const ChatOptions& options) {
    const bool prefill = chat_request_is_prefill(request);
    std::string out = std::string(t::bos) + joined_system_prompts(request);
    bool is_first = false, is_tool = false, is_output_first = true;
    for (const ChatMessage& m : request.messages) {
        const std::string_view end = (prefill && &m == &request.messages.back()) ? "" : t::eos;
        switch (m.role) {
            case ChatRole::ChatRole_system: break;
            case ChatRole::ChatRole_user:
                is_tool = false;
                out += std::string(t::user) + *m.content;
                break;
            case ChatRole::ChatRole_assistant:
                if (!m.content) {
                    is_tool = false;
                    for (const ChatToolCall& call : m.tool_calls) {
                        if (!is_first) {
                            out += std::string(t::assistant) + std::string(t::tool_calls_begin) + legacy_tool_call(call);
                            is_first = true;
                        } else {
                            out += "\n" + legacy_tool_call(call) + std::string(t::tool_calls_end) + std::string(t::eos);
                        }
                    }
                } else if (is_tool) {
                    out += std::string(t::tool_outputs_end) + *m.content + std::string(end);
                    is_tool = false;
                } else {
                    out += std::string(t::assistant) + *m.content + std::string(end);
                }
                break;
            case ChatRole::ChatRole_tool:
                is_tool = true;
                if (is_output_first) {
                    out += std::string(t::tool_outputs_begin) + std::string(t::tool_output_begin) + *m.content +
                           std::string(t::tool_output_end);
                    is_output_first = false;
                } else {
                    out += "\n" + std::string(t::tool_output_begin) + *m.content + std::string(t::tool_output_end);
                }
                break;
        }
    }
    if (prefill) return out;
    if (is_tool) out += t::tool_outputs_end;
    if (options.add_generation_prompt && !is_tool) out += t::assistant;
    return out;
}

}  // namespace whale::chat_detail
