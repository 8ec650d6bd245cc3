// DeepSeek-R1-Distill (Qwen/Llama) template. R1's rules with three differences: only the last
// system message is kept, later tool results are separated by "\n", and an assistant message with
// both tool_calls and content renders the calls and then the content as a second assistant turn.
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

std::string render_r1_distill(const ChatRequest& request, const ChatOptions& options) {
    const bool prefill = chat_request_is_prefill(request);
    std::string out(t::bos);
    for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
        if (it->role == ChatRole::ChatRole_system) {
            out += *it->content;
            break;
        }
    }
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
                            out += std::string(t::assistant) + std::string(t::tool_calls_begin) + legacy_tool_call(call);
                            is_first = true;
                        } else {
                            out += "\n" + legacy_tool_call(call);
                        }
                    }
                    out += std::string(t::tool_calls_end) + std::string(t::eos);
                }
                if (m.content) {
                    if (is_tool) {
                        out += std::string(t::tool_outputs_end) + *m.content + std::string(end);
                        is_tool = false;
                    } else {
                        out += std::string(t::assistant) + after_last(*m.content, t::think_end) + std::string(end);
                    }
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
    if (options.add_generation_prompt && !is_tool) out += std::string(t::assistant) + "<think>\n";
    return out;
}

}  // namespace whale::chat_detail
