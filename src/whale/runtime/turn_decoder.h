// The one token-to-text path of generation: every CLI command and every API handler turns the
// tokens a request generates into text through a TurnDecoder. Per token:
//   token -> bytes (Tokenizer::token_bytes)
//         -> UTF-8 hold-back (StreamDecoder: a character split over byte tokens waits for its rest)
//         -> stop strings (StopStringMatcher: a possible start of a stop string waits until decided)
//         -> chat parsing (ChatParser: reasoning / content / tool calls), or plain content for a raw
//            completion
//         -> events, with usage counts.
// Pure and synchronous: it neither waits nor cancels; runtime/turn.h does that around it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "whale/chat/chat_parser.h"
#include "whale/runtime/stop_strings.h"
#include "whale/tokenizer/stream_decoder.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

struct TurnDecoderOptions {
    ChatFormat format = ChatFormat::ChatFormat_v3;
    bool parse_chat = true;            // false: raw completion, every delta is content
    bool starts_in_reasoning = false;  // the prompt ended inside <think> (chat_prompt_opens_reasoning)
    std::vector<std::string> stop;     // stop strings, matched across token boundaries
};

class TurnDecoder {
public:
    // `tokenizer` must outlive the decoder.
    TurnDecoder(const Tokenizer& tokenizer, TurnDecoderOptions options);

    // One generated token (never the end-of-sequence token, which is not output). Returns the events
    // it decided. After a stop string matched, the text from its start on is dropped, the parser is
    // closed and further tokens are counted but give no events.
    std::vector<ChatEvent> push(int32_t token);
    // The generation ended by itself (EOS, length, cancel): releases what was held back.
    std::vector<ChatEvent> finish();

    bool stopped() const { return !matched_stop_.empty(); }
    const std::string& matched_stop() const { return matched_stop_; }  // the stop string that ended the turn
    int64_t completion_tokens() const { return completion_tokens_; }
    // Tokens whose text ended up in reasoning. A token whose text is held back (part of a marker or
    // of a character) counts with the next text released.
    int64_t reasoning_tokens() const { return reasoning_tokens_; }
    int n_tool_calls() const { return n_tool_calls_; }
    const std::string& raw_text() const { return raw_text_; }  // every pushed token's bytes, concatenated

private:
    // Text that passed the stop strings: parsed (or taken as content) into `out`.
    void deliver(const std::string& text, std::vector<ChatEvent>& out);
    // Closes the parser and settles the tokens not yet attributed.
    void close(std::vector<ChatEvent>& out);
    void attribute(const std::vector<ChatEvent>& events);

    const Tokenizer& tokenizer_;
    StreamDecoder utf8_;
    StopStringMatcher stops_;
    std::optional<ChatParser> parser_;  // absent for raw completions
    bool closed_ = false;
    std::string matched_stop_;
    std::string raw_text_;
    int64_t completion_tokens_ = 0;
    int64_t reasoning_tokens_ = 0;
    int64_t unattributed_tokens_ = 0;
    ChatEventKind last_kind_;
    int n_tool_calls_ = 0;
};

}  // namespace whale
