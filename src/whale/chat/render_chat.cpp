// Dispatch from a chat format to its renderer, plus helpers the Jinja-era renderers share.
#include "whale/chat/render_chat.h"

#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"
#include "whale/core/error.h"

namespace whale {

namespace chat_detail {

const std::string& content_or_fail(const ChatMessage& message, const char* family) {
    WHALE_CHECK(message.content.has_value(), "chat format ", family,
                ": this assistant message needs string content (the template cannot render null here)");
    return *message.content;
}

std::string after_last(const std::string& text, std::string_view marker) {
    const size_t at = text.rfind(marker);
    return at == std::string::npos ? text : text.substr(at + marker.size());
}

std::string after_first(const std::string& text, std::string_view marker) {
    const size_t at = text.find(marker);
    return at == std::string::npos ? text : text.substr(at + marker.size());
}

std::string joined_system_prompts(const ChatRequest& request) {
    std::string out;
    bool first = true;
    for (const ChatMessage& m : request.messages) {
        if (m.role != ChatRole::ChatRole_system) continue;
        if (!first) out += "\n\n";
        out += *m.content;
        first = false;
    }
    return out;
}

std::string legacy_tool_call(const ChatToolCall& call) {
    return std::string(chat_tokens::tool_call_begin) + call.type + std::string(chat_tokens::tool_sep) + call.name +
           "\n```json\n" + call.arguments + "\n```" + std::string(chat_tokens::tool_call_end);
}

}  // namespace chat_detail

std::string render_chat(ChatFormat format, const ChatRequest& request, const ChatOptions& options) {
    using namespace chat_detail;
    switch (format) {
        case ChatFormat::ChatFormat_v3: return render_v3(request, options);
        case ChatFormat::ChatFormat_r1: return render_r1(request, options);
        case ChatFormat::ChatFormat_v3_1: return render_v3_1(request, options);
        case ChatFormat::ChatFormat_v3_2: return render_v3_2(request, options);
        case ChatFormat::ChatFormat_v4: return render_v4(request, options);
        case ChatFormat::ChatFormat_r1_distill: return render_r1_distill(request, options);
    }
    fail("render_chat: unknown chat format");
}

bool chat_prompt_opens_reasoning(std::string_view prompt) {
    const size_t open = prompt.rfind(chat_tokens::think_begin);
    if (open == std::string_view::npos) return false;
    const size_t close = prompt.rfind(chat_tokens::think_end);
    return close == std::string_view::npos || close < open;
}

}  // namespace whale
