// DeepSeek-V3, original Dec-2024 template, reproduced with its quirks because prompts must match
// byte for byte: only the first tool call of the whole conversation opens "<｜tool▁calls▁begin｜>"
// (the template never resets is_first), the closing "<｜tool▁calls▁end｜>" + EOS is written only
// after the 2nd+ call, an assistant message with content ignores its tool_calls, and only the first
// tool result of the conversation opens "<｜tool▁outputs▁begin｜>".
#include "whale/chat/legacy_turn_writer.h"
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

std::string render_v3(const ChatRequest& request, const ChatOptions& options) {
    LegacyTurnWriter w(request, std::string(t::bos) + joined_system_prompts(request));
    for (const ChatMessage& m : request.messages) {
        switch (m.role) {
            case ChatRole::ChatRole_system: break;
            case ChatRole::ChatRole_user: w.user(m); break;
            case ChatRole::ChatRole_assistant:
                if (m.content) {
                    w.assistant_reply(m, *m.content, *m.content);
                    break;
                }
                w.is_tool = false;
                for (const ChatToolCall& call : m.tool_calls)
                    if (!w.tool_call(call, "")) w.out += std::string(t::tool_calls_end) + std::string(t::eos);
                break;
            case ChatRole::ChatRole_tool: w.tool_output(m, "\n"); break;
        }
    }
    return w.finish(options, t::assistant);
}

}  // namespace whale::chat_detail
