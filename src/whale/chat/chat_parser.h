// Streaming parser for what a DeepSeek model writes: splits generated text into reasoning,
// content and tool calls (name + JSON arguments, streamed as they arrive), per chat family.
//
// Feed text deltas of whole UTF-8 characters as they are detokenized (runtime/turn_decoder.h holds
// back a character split over tokens before it reaches the parser); each call returns the events it
// could decide. Only a possible prefix of a marker is held back, so a tag split across deltas never
// leaks half-written. Structure that does not match the family's grammar falls
// back to plain content (text is never dropped) and the reason is kept in problems(). finish()
// flushes what is held back at the end of generation, closing an open tool call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "whale/chat/chat_format.h"

namespace whale {

enum class ChatEventKind {
    ChatEventKind_reasoning,             // text: reasoning delta
    ChatEventKind_content,               // text: content delta
    ChatEventKind_tool_call_start,       // tool_index, id, name
    ChatEventKind_tool_call_arguments,   // tool_index, text: arguments JSON delta
    ChatEventKind_tool_call_end,         // tool_index
};

struct ChatEvent {
    ChatEventKind kind;
    std::string text;
    int tool_index = -1;
    std::string id;
    std::string name;
};

class ChatParser {
public:
    // starts_in_reasoning: the prompt ended inside "<think>" (see chat_prompt_opens_reasoning), so
    // the completion begins with reasoning and has no opening tag of its own.
    ChatParser(ChatFormat format, bool starts_in_reasoning);

    std::vector<ChatEvent> feed(std::string_view delta);
    std::vector<ChatEvent> finish();

    // Why structure was treated as plain text, or what was cut off (debugging aid, not an error).
    const std::vector<std::string>& problems() const { return problems_; }

private:
    enum class State {
        State_reasoning,
        State_content,
        State_done,                // after EOS
        State_tool_next,           // between calls: next call or end of the block
        State_tool_header,         // legacy "TYPE<sep>NAME\n```json\n", V3.1 "NAME<sep>"
        State_tool_arguments,
        State_dsml_next,
        State_dsml_invoke_name,
        State_dsml_parameter_next,
        State_dsml_parameter_name,
        State_dsml_parameter_value,
    };
    enum class Scan { Scan_found, Scan_need_more, Scan_mismatch };

    bool step();  // consumes what the current state can decide; false when it must wait for more text
    bool step_text(ChatEventKind kind);
    bool step_tool_next();
    bool step_tool_header();
    bool step_tool_arguments();
    bool step_dsml_next();
    bool step_dsml_invoke_name();
    bool step_dsml_parameter_next();
    bool step_dsml_parameter_name();
    bool step_dsml_parameter_value();

    Scan expect(std::string_view literal);
    Scan read_until(std::string_view literal, size_t max_length, std::string* out);
    size_t safe_length(const std::vector<std::string_view>& markers) const;
    void consume(size_t n);  // drops n bytes of pending_, remembering them as unrepresented syntax
    void emit_text(ChatEventKind kind, std::string text);
    void start_tool_call(std::string name);
    void end_tool_call();
    bool fall_back(const std::string& why);

    ChatFormat format_;
    bool dsml_;
    std::string dsml_block_;  // "function_calls" (V3.2) or "tool_calls" (V4)
    State state_;
    bool final_ = false;
    bool content_started_ = false;
    std::string pending_;        // received, not yet consumed
    std::string unrepresented_;  // consumed tool-call syntax not yet carried by any event
    std::vector<ChatEvent> events_;
    std::vector<std::string> problems_;
    int n_tool_calls_ = 0;
    bool tool_open_ = false;
    std::string arguments_;      // the open call's arguments so far, checked as JSON at its end
    int n_parameters_ = 0;
    bool parameter_is_string_ = false;
};

}  // namespace whale
