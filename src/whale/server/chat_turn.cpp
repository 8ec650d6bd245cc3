#include "whale/server/chat_turn.h"

#include <random>

#include "whale/server/request_log.h"

namespace whale::server {

std::string random_id(const std::string& prefix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string id = prefix;
    for (int i = 0; i < 24; ++i) id += hex[rng() % 16];
    return id;
}

void record_generation_metrics(ServerContext& context, const ChatTurn& turn) {
    current_request().prompt_tokens = turn.prompt_tokens();
    current_request().completion_tokens = turn.completion_tokens();
    context.metrics.record_tokens(turn.prompt_tokens(), turn.completion_tokens());
    if (turn.seconds_to_first_token() < 0) return;
    context.metrics.record_time_to_first_token(turn.seconds_to_first_token());
    if (turn.completion_tokens() > 1)
        context.metrics.record_time_per_token((turn.seconds_since_start() - turn.seconds_to_first_token()) /
                                              double(turn.completion_tokens() - 1));
}

double ChatTurn::seconds_since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

ChatTurn::ChatTurn(ServerContext& context, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
                   std::vector<std::string> stops)
    : context_(context),
      stream_(std::move(stream)),
      prompt_(prompt),
      parser_(context.chat_format, prompt.starts_in_reasoning),
      stops_(stops),
      has_stops_(!stops.empty()),
      last_kind_(prompt.starts_in_reasoning ? ChatEventKind::ChatEventKind_reasoning : ChatEventKind::ChatEventKind_content),
      start_(std::chrono::steady_clock::now()) {}

ChatTurn::~ChatTurn() {
    if (!done_) stream_->cancel();
}

void ChatTurn::attribute(const std::vector<ChatEvent>& events) {
    // A token whose text the parser holds back (part of a marker) counts with the next text it
    // releases: reasoning tokens are those that end up in reasoning.
    if (!events.empty()) {
        if (events.front().kind == ChatEventKind::ChatEventKind_reasoning) reasoning_tokens_ += unattributed_tokens_;
        unattributed_tokens_ = 0;
        last_kind_ = events.back().kind;
    }
    for (const auto& event : events) n_tool_calls_ += event.kind == ChatEventKind::ChatEventKind_tool_call_start;
}

void ChatTurn::feed_text(const std::string& text, TurnUpdate& update) {
    std::string safe = text;
    if (has_stops_) {
        StopStringMatcher::Step step = stops_.feed(text);
        safe = std::move(step.text);
        if (step.stopped) {
            matched_stop_ = step.matched;
            update.end = TurnEnd::TurnEnd_stop;
            stream_->cancel();
        }
    }
    auto events = parser_.feed(safe);
    attribute(events);
    for (auto& event : events) update.events.push_back(std::move(event));
}

TurnEnd turn_end_of(FinishReason finish) {
    switch (finish) {
    case FinishReason::FinishReason_none: return TurnEnd::TurnEnd_running;
    case FinishReason::FinishReason_eos: return TurnEnd::TurnEnd_stop;
    case FinishReason::FinishReason_length: return TurnEnd::TurnEnd_length;
    case FinishReason::FinishReason_cancelled: return TurnEnd::TurnEnd_cancelled;
    case FinishReason::FinishReason_error: return TurnEnd::TurnEnd_error;
    }
    return TurnEnd::TurnEnd_error;
}

TurnUpdate ChatTurn::poll(std::chrono::milliseconds wait) {
    TurnUpdate update;
    if (done_) {
        update.end = TurnEnd::TurnEnd_stop;
        return update;
    }
    std::vector<GeneratedToken> tokens;
    FinishReason finish = stream_->next(tokens, wait);
    for (auto& token : tokens) {
        if (first_token_seconds_ < 0)
            first_token_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        ++completion_tokens_;
        ++unattributed_tokens_;
        const std::string text = context_.codec.token_text(token.token);
        generated_.push_back(token.token);
        generated_text_ += text;
        feed_text(text, update);
        update.tokens.push_back(std::move(token));
        if (update.end != TurnEnd::TurnEnd_running) break;  // a stop string ended the turn
    }
    if (update.end == TurnEnd::TurnEnd_running) {
        update.end = turn_end_of(finish);
        if (update.end == TurnEnd::TurnEnd_running) return update;
        if (update.end == TurnEnd::TurnEnd_error) error_ = stream_->error();
    }
    if (has_stops_ && update.end != TurnEnd::TurnEnd_stop) {
        auto events = parser_.feed(stops_.flush());
        attribute(events);
        for (auto& event : events) update.events.push_back(std::move(event));
    }
    auto rest = parser_.finish();
    attribute(rest);
    for (auto& event : rest) update.events.push_back(std::move(event));
    if (last_kind_ == ChatEventKind::ChatEventKind_reasoning) reasoning_tokens_ += unattributed_tokens_;
    unattributed_tokens_ = 0;
    if (n_tool_calls_ > 0 && update.end == TurnEnd::TurnEnd_stop) update.end = TurnEnd::TurnEnd_tool_calls;
    if (update.end != TurnEnd::TurnEnd_error && update.end != TurnEnd::TurnEnd_cancelled) remember_conversation(finish);
    done_ = true;
    return update;
}

void ChatTurn::remember_conversation(FinishReason finish) {
    std::vector<int32_t> tokens = prompt_.tokens;
    tokens.insert(tokens.end(), generated_.begin(), generated_.end());
    std::string text = prompt_.text + generated_text_;
    // The end-of-sequence token is not reported as output, but the next turn's history has it.
    if (finish == FinishReason::FinishReason_eos && context_.eos_token >= 0) {
        tokens.push_back(context_.eos_token);
        text += context_.codec.token_text(context_.eos_token);
    }
    context_.token_memory.remember(std::move(text), std::move(tokens));
}

TurnUpdate ChatTurn::run_to_end() {
    TurnUpdate all;
    for (;;) {
        TurnUpdate update = poll(std::chrono::milliseconds(1000));
        for (auto& event : update.events) all.events.push_back(std::move(event));
        for (auto& token : update.tokens) all.tokens.push_back(std::move(token));
        if (update.end != TurnEnd::TurnEnd_running) {
            all.end = update.end;
            return all;
        }
    }
}

}  // namespace whale::server
