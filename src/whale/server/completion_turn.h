// Turns one raw completion's generated tokens into text: detokenizes, holds back a UTF-8
// character split across tokens, and applies stop strings (held back across token boundaries,
// then the sequence is cancelled). Unlike ChatTurn nothing is parsed out of the text: a raw
// completion has no reasoning or tool-call markers, whatever the model writes is the answer.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "whale/runtime/generation_stream.h"
#include "whale/runtime/stop_strings.h"
#include "whale/server/chat_turn.h"
#include "whale/server/server_context.h"

namespace whale::server {

struct CompletionUpdate {
    std::string text;
    std::vector<GeneratedToken> tokens;  // the tokens behind this text (for logprobs)
    TurnEnd end = TurnEnd::TurnEnd_running;
};

class CompletionTurn {
public:
    CompletionTurn(ServerContext& context, std::shared_ptr<GenerationStream> stream, std::vector<std::string> stops);
    CompletionTurn(const CompletionTurn&) = delete;
    CompletionTurn& operator=(const CompletionTurn&) = delete;
    ~CompletionTurn();  // cancels the sequence if abandoned early (client gone, error)

    CompletionUpdate poll(std::chrono::milliseconds wait);
    CompletionUpdate run_to_end();

    const std::string& error() const { return error_; }
    int64_t prompt_tokens() const { return stream_->prompt_tokens(); }
    int64_t cached_tokens() const { return std::max<int64_t>(0, stream_->cached_tokens()); }
    int64_t completion_tokens() const { return completion_tokens_; }
    // Adds the finished turn's tokens and latencies to the server metrics.
    void record_metrics() const;

private:
    std::string take_text(const std::string& bytes, bool final);

    ServerContext& context_;
    std::shared_ptr<GenerationStream> stream_;
    StopStringMatcher stops_;
    bool has_stops_;
    std::string partial_utf8_;  // bytes of a character whose remaining bytes have not come yet
    bool done_ = false;
    std::string error_;
    int64_t completion_tokens_ = 0;
    std::chrono::steady_clock::time_point start_;
    double first_token_seconds_ = -1.0;
};

}  // namespace whale::server
