// DeepSeek-R1-Distill (Qwen/Llama) template. R1's rules with three differences: only the last
// system message is kept, later tool results are separated by "\n", and an assistant message with
// both tool_calls and content renders the calls and then the content as a second assistant turn.
#include "whale/chat/legacy_turn_writer.h"
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

namespace {

std::string last_system_prompt(const ChatRequest& request) {
    for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it)
        if (it->role == ChatRole::ChatRole_system) return *it->content;
    return "";
}

}  // namespace

std::string render_r1_distill(const ChatRequest& request, const ChatOptions& options) {
    LegacyTurnWriter w(request, std::string(t::bos) + last_system_prompt(request));
    for (const ChatMessage& m : request.messages) {
        switch (m.role) {
            case ChatRole::ChatRole_system: break;
            case ChatRole::ChatRole_user: w.user(m); break;
            case ChatRole::ChatRole_assistant:
                if (!m.tool_calls.empty()) {
                    w.is_tool = false;
                    for (const ChatToolCall& call : m.tool_calls) w.tool_call(call, "");
                    w.out += std::string(t::tool_calls_end) + std::string(t::eos);
                }
                if (m.content) w.assistant_reply(m, *m.content, after_last(*m.content, t::think_end));
                break;
            case ChatRole::ChatRole_tool: w.tool_output(m, "\n"); break;
        }
    }
    return w.finish(options, std::string(t::assistant) + "<think>\n");
}

}  // namespace whale::chat_detail
