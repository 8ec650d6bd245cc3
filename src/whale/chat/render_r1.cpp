// DeepSeek-R1 (hub template, Feb-2025 revision). Differs from V3: assistant history keeps only the
// text after the last "</think>" (reasoning is never fed back), the generation prompt prefills
// "<think>\n", tool-call turns always close with "<｜tool▁calls▁end｜>" + EOS, and later tool
// results follow each other with no newline. Like V3, is_first and is_output_first are never reset.
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

std::string render_r1(const ChatRequest& request, const ChatOptions& options) {
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
                if (!m.tool_calls.empty()) {
                    is_tool = false;
                    for (const ChatToolCall& call : m.tool_calls) {
                        if (!is_first) {
                            out += std::string(t::assistant) + m.content.value_or("") + std::string(t::tool_calls_begin) +
                                   legacy_tool_call(call);
                            is_first = true;
                        } else {
                            out += "\n" + legacy_tool_call(call);
                        }
                    }
                    out += std::string(t::tool_calls_end) + std::string(t::eos);
                } else if (is_tool) {
                    out += std::string(t::tool_outputs_end) + content_or_fail(m, "r1") + std::string(end);
                    is_tool = false;
                } else {
                    out += std::string(t::assistant) + after_last(content_or_fail(m, "r1"), t::think_end) +
                           std::string(end);
                }
                break;
            case ChatRole::ChatRole_tool:
                is_tool = true;
                if (is_output_first) {
                    out += std::string(t::tool_outputs_begin);
                    is_output_first = false;
                }
                out += std::string(t::tool_output_begin) + *m.content + std::string(t::tool_output_end);
                break;
        }
    }
    if (prefill) return out;
    if (is_tool) out += t::tool_outputs_end;
    if (options.add_generation_prompt && !is_tool) out += std::string(t::assistant) + "<think>\n";
    return out;
}

}  // namespace whale::chat_detail
