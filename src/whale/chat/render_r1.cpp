// DeepSeek-R1 (hub template, Feb-2025 revision). Differs from V3: assistant history keeps only the
// text after the last "</think>" (reasoning is never fed back), the generation prompt prefills
// "<think>\n", tool-call turns always close with "<｜tool▁calls▁end｜>" + EOS, and later tool
// results follow each other with no newline. Like V3, is_first and is_output_first are never reset.
#include "whale/chat/legacy_turn_writer.h"
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

std::string render_r1(const ChatRequest& request, const ChatOptions& options) {
    LegacyTurnWriter w(request, std::string(t::bos) + joined_system_prompts(request));
    for (const ChatMessage& m : request.messages) {
        switch (m.role) {
            case ChatRole::ChatRole_system: break;
            case ChatRole::ChatRole_user: w.user(m); break;
            case ChatRole::ChatRole_assistant:
                if (m.tool_calls.empty()) {
                    const std::string& content = content_or_fail(m, "r1");
                    w.assistant_reply(m, content, after_last(content, t::think_end));
                    break;
                }
                w.is_tool = false;
                for (const ChatToolCall& call : m.tool_calls) w.tool_call(call, m.content.value_or(""));
                w.out += std::string(t::tool_calls_end) + std::string(t::eos);
                break;
            case ChatRole::ChatRole_tool: w.tool_output(m, ""); break;
        }
    }
    return w.finish(options, std::string(t::assistant) + "<think>\n");
}

}  // namespace whale::chat_detail
