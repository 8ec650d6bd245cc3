// Turns one request's generated tokens into chat events: detokenizes, applies stop strings (held
// back across token boundaries, then the sequence is cancelled), and splits reasoning, content and
// tool calls with the chat format's streaming parser. Shared by every chat-shaped endpoint; each
// endpoint only formats the events. Counts completion and reasoning tokens for usage.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "whale/chat/chat_parser.h"
#include "whale/runtime/generation_stream.h"
#include "whale/runtime/stop_strings.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_context.h"

namespace whale::server {

enum class TurnEnd { TurnEnd_running, TurnEnd_stop, TurnEnd_length, TurnEnd_tool_calls, TurnEnd_cancelled, TurnEnd_error };

// How a turn ends when the scheduler finished its generation; running while it has not.
TurnEnd turn_end_of(FinishReason finish);

struct TurnUpdate {
    std::vector<ChatEvent> events;
    std::vector<GeneratedToken> tokens;  // the tokens behind these events (for logprobs)
    TurnEnd end = TurnEnd::TurnEnd_running;
};

class ChatTurn {
public:
    // At a normal end the prompt and the generated ids are remembered (token_memory.h), so the
    // next turn of this conversation reuses them exactly.
    ChatTurn(ServerContext& context, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
             std::vector<std::string> stops);
    ChatTurn(const ChatTurn&) = delete;
    ChatTurn& operator=(const ChatTurn&) = delete;
    ~ChatTurn();  // cancels the sequence if the turn is abandoned early (client gone, error)

    // Waits up to `wait` for tokens; returns what they decided.
    TurnUpdate poll(std::chrono::milliseconds wait);
    // Runs to the end, gathering everything (non-streaming responses).
    TurnUpdate run_to_end();

    const std::string& error() const { return error_; }
    const std::string& matched_stop() const { return matched_stop_; }  // the stop string that ended the turn
    int64_t prompt_tokens() const { return stream_->prompt_tokens(); }
    int64_t cached_tokens() const { return std::max<int64_t>(0, stream_->cached_tokens()); }
    int64_t completion_tokens() const { return completion_tokens_; }
    int64_t reasoning_tokens() const { return reasoning_tokens_; }
    int n_tool_calls() const { return n_tool_calls_; }
    double seconds_to_first_token() const { return first_token_seconds_; }
    double seconds_since_start() const;
    std::shared_ptr<GenerationStream> stream() const { return stream_; }

private:
    void feed_text(const std::string& text, TurnUpdate& update);
    void attribute(const std::vector<ChatEvent>& events);

    void remember_conversation(FinishReason finish);

    ServerContext& context_;
    std::shared_ptr<GenerationStream> stream_;
    const PreparedPrompt& prompt_;
    std::vector<int32_t> generated_;
    std::string generated_text_;
    ChatParser parser_;
    StopStringMatcher stops_;
    bool has_stops_;
    bool done_ = false;
    std::string error_;
    std::string matched_stop_;
    int64_t completion_tokens_ = 0;
    int64_t reasoning_tokens_ = 0;
    int64_t unattributed_tokens_ = 0;
    ChatEventKind last_kind_ = ChatEventKind::ChatEventKind_content;
    int n_tool_calls_ = 0;
    std::chrono::steady_clock::time_point start_;
    double first_token_seconds_ = -1.0;
};

// Adds a finished turn's tokens and latencies to the server metrics and the request's log line.
void record_generation_metrics(ServerContext& context, const ChatTurn& turn);

// "call_<random hex>": unique ids for tool calls and responses.
std::string random_id(const std::string& prefix);

}  // namespace whale::server
