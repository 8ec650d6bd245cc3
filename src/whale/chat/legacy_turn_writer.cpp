#include "whale/chat/legacy_turn_writer.h"

#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

LegacyTurnWriter::LegacyTurnWriter(const ChatRequest& request, std::string opening)
    : out(std::move(opening)), request_(request), prefill_(chat_request_is_prefill(request)) {}

std::string_view LegacyTurnWriter::end_of(const ChatMessage& m) const {
    return prefill_ && &m == &request_.messages.back() ? std::string_view() : t::eos;
}

void LegacyTurnWriter::user(const ChatMessage& m) {
    is_tool = false;
    out += std::string(t::user) + *m.content;
}

void LegacyTurnWriter::assistant_reply(const ChatMessage& m, const std::string& after_tool, const std::string& text) {
    if (is_tool) {
        out += std::string(t::tool_outputs_end) + after_tool + std::string(end_of(m));
        is_tool = false;
    } else {
        out += std::string(t::assistant) + text + std::string(end_of(m));
    }
}

bool LegacyTurnWriter::tool_call(const ChatToolCall& call, std::string_view first_prefix) {
    if (is_first) {
        out += "\n" + legacy_tool_call(call);
        return false;
    }
    out += std::string(t::assistant) + std::string(first_prefix) + std::string(t::tool_calls_begin) + legacy_tool_call(call);
    is_first = true;
    return true;
}

void LegacyTurnWriter::tool_output(const ChatMessage& m, std::string_view separator) {
    is_tool = true;
    out += is_output_first_ ? t::tool_outputs_begin : separator;
    is_output_first_ = false;
    out += std::string(t::tool_output_begin) + *m.content + std::string(t::tool_output_end);
}

std::string LegacyTurnWriter::finish(const ChatOptions& options, std::string_view generation_prompt) {
    if (prefill_) return out;
    if (is_tool) out += t::tool_outputs_end;
    if (options.add_generation_prompt && !is_tool) out += generation_prompt;
    return out;
}

}  // namespace whale::chat_detail
