// DeepSeek-V3.1 hybrid-thinking template. A bare "</think>" right after the assistant token selects
// non-thinking mode; "<think>" opens thinking (generation prompt, or a "prefix" message in thinking
// mode). Past assistant turns keep the text after the first "</think>"; tool calls are
// NAME<｜tool▁sep｜>ARGS with no type and no code fence; tool results need no wrapper and no
// assistant token follows them.
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

namespace {

std::string v3_1_tool_call(const ChatToolCall& call) {
    return std::string(t::tool_call_begin) + call.name + std::string(t::tool_sep) + call.arguments +
           std::string(t::tool_call_end);
}

}  // namespace

std::string render_v3_1(const ChatRequest& request, const ChatOptions& options) {
    const bool prefill = chat_request_is_prefill(request);
    std::string out = std::string(t::bos) + joined_system_prompts(request);
    bool is_tool = false, is_last_user = false;
    for (const ChatMessage& m : request.messages) {
        const std::string_view end = (prefill && &m == &request.messages.back()) ? "" : t::eos;
        switch (m.role) {
            case ChatRole::ChatRole_system: break;
            case ChatRole::ChatRole_user:
                is_tool = false;
                is_last_user = true;
                out += std::string(t::user) + *m.content;
                break;
            case ChatRole::ChatRole_assistant:
                if (!m.tool_calls.empty()) {
                    if (is_last_user) out += std::string(t::assistant) + std::string(t::think_end);
                    is_last_user = false;
                    is_tool = false;
                    out += m.content.value_or("") + std::string(t::tool_calls_begin);
                    for (const ChatToolCall& call : m.tool_calls) out += v3_1_tool_call(call);
                    out += std::string(t::tool_calls_end) + std::string(t::eos);
                    break;
                }
                if (is_last_user) {
                    out += t::assistant;
                    out += (m.prefix && options.thinking) ? t::think_begin : t::think_end;
                }
                is_last_user = false;
                if (is_tool) {
                    out += content_or_fail(m, "v3.1") + std::string(end);
                    is_tool = false;
                } else {
                    out += after_first(content_or_fail(m, "v3.1"), t::think_end) + std::string(end);
                }
                break;
            case ChatRole::ChatRole_tool:
                is_last_user = false;
                is_tool = true;
                out += std::string(t::tool_output_begin) + *m.content + std::string(t::tool_output_end);
                break;
        }
    }
    if (prefill) return out;
    if (options.add_generation_prompt && is_last_user && !is_tool)
        out += std::string(t::assistant) + std::string(options.thinking ? t::think_begin : t::think_end);
    return out;
}

}  // namespace whale::chat_detail
