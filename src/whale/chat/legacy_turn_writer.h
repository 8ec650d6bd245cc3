// What the V3-era Jinja templates (V3, R1, R1-Distill) do alike: the flags they carry through a
// conversation, user turns, assistant replies (closing an open tool-output block first), tool
// results inside one "<｜tool▁outputs▁begin｜>" block, and the closing generation prompt. How each
// writes tool-call blocks and which text a reply keeps stays in its own renderer.
#pragma once

#include <string>
#include <string_view>

#include "whale/chat/chat_request.h"

namespace whale::chat_detail {

class LegacyTurnWriter {
public:
    // `opening`: BOS and the system prompt as the template writes them.
    LegacyTurnWriter(const ChatRequest& request, std::string opening);

    std::string out;
    bool is_first = false;  // a tool-call block was opened; like the templates, never reset
    bool is_tool = false;   // the previous message was a tool result

    // EOS after an assistant turn, except the last message of a prefill (continued) request.
    std::string_view end_of(const ChatMessage& m) const;
    void user(const ChatMessage& m);
    // After tool results the reply closes their block and is written as `after_tool`; otherwise it
    // opens an assistant turn with `text`.
    void assistant_reply(const ChatMessage& m, const std::string& after_tool, const std::string& text);
    // One call of a tool-call block: the conversation's first call opens an assistant turn with
    // `first_prefix` and "<｜tool▁calls▁begin｜>", later ones follow after "\n". Returns whether
    // this call opened the block.
    bool tool_call(const ChatToolCall& call, std::string_view first_prefix);
    // `separator` goes between consecutive results ("" in R1, "\n" in V3 and the distills).
    void tool_output(const ChatMessage& m, std::string_view separator);
    std::string finish(const ChatOptions& options, std::string_view generation_prompt);

private:
    const ChatRequest& request_;
    bool prefill_;
    bool is_output_first_ = true;
};

}  // namespace whale::chat_detail
