// One request's generation read as text, the same way by the CLI and by every API handler: polls
// the request's GenerationStream (the scheduler's output), decodes its tokens with a TurnDecoder,
// and cancels the sequence when a stop string matched or when the turn is abandoned early (client
// gone, Ctrl-C, an error in the caller).
#pragma once

#include <chrono>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "whale/runtime/generation_stream.h"
#include "whale/runtime/turn_decoder.h"

namespace whale {

enum class TurnEnd { TurnEnd_running, TurnEnd_stop, TurnEnd_length, TurnEnd_tool_calls, TurnEnd_cancelled, TurnEnd_error };

// How a turn ends when the scheduler finished its generation; running while it has not.
TurnEnd turn_end_of(FinishReason finish);

struct TurnUpdate {
    std::vector<ChatEvent> events;
    std::vector<GeneratedToken> tokens;  // the tokens behind these events (for logprobs)
    TurnEnd end = TurnEnd::TurnEnd_running;
};

class Turn {
public:
    // `tokenizer` must outlive the turn.
    Turn(std::shared_ptr<GenerationStream> stream, const Tokenizer& tokenizer, TurnDecoderOptions options);
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();

    // Waits up to `wait` for tokens; returns the events they decided. Once ended, returns the end again.
    TurnUpdate poll(std::chrono::milliseconds wait);
    // Polls to the end; `on_update` sees every update as it comes. Returns everything gathered.
    TurnUpdate run_to_end(const std::function<void(const TurnUpdate&)>& on_update = {});
    // Asks the scheduler to stop this request; the next polls see it end as cancelled.
    void cancel() { stream_->cancel(); }

    bool ended() const { return end_ != TurnEnd::TurnEnd_running; }
    TurnEnd end() const { return end_; }
    FinishReason finish_reason() const { return finish_; }  // the scheduler's, once it finished
    const std::string& error() const { return error_; }
    const std::string& matched_stop() const { return decoder_.matched_stop(); }
    int64_t prompt_tokens() const { return stream_->prompt_tokens(); }
    int64_t cached_tokens() const { return std::max<int64_t>(0, stream_->cached_tokens()); }
    int64_t completion_tokens() const { return decoder_.completion_tokens(); }
    int64_t reasoning_tokens() const { return decoder_.reasoning_tokens(); }
    int n_tool_calls() const { return decoder_.n_tool_calls(); }
    double seconds_to_first_token() const { return first_token_seconds_; }  // -1 before the first token
    double seconds_since_start() const;
    const std::vector<int32_t>& generated() const { return generated_; }  // ids received, EOS excluded
    const std::string& raw_text() const { return decoder_.raw_text(); }

private:
    std::shared_ptr<GenerationStream> stream_;
    TurnDecoder decoder_;
    TurnEnd end_ = TurnEnd::TurnEnd_running;
    FinishReason finish_ = FinishReason::FinishReason_none;
    std::string error_;
    std::vector<int32_t> generated_;
    std::chrono::steady_clock::time_point start_;
    double first_token_seconds_ = -1.0;
};

}  // namespace whale
