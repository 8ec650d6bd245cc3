#include "whale/server/completion_turn.h"

#include "whale/tokenizer/utf8.h"

namespace whale::server {

CompletionTurn::CompletionTurn(ServerContext& context, std::shared_ptr<GenerationStream> stream, std::vector<std::string> stops)
    : context_(context),
      stream_(std::move(stream)),
      stops_(stops),
      has_stops_(!stops.empty()),
      start_(std::chrono::steady_clock::now()) {}

CompletionTurn::~CompletionTurn() {
    if (!done_) stream_->cancel();
}

std::string CompletionTurn::take_text(const std::string& bytes, bool final) {
    partial_utf8_ += bytes;
    const size_t keep = final ? partial_utf8_.size() : utf8_complete_prefix(partial_utf8_);
    std::string text;
    utf8_append_lossy(text, std::string_view(partial_utf8_).substr(0, keep));
    partial_utf8_.erase(0, keep);
    return text;
}

CompletionUpdate CompletionTurn::poll(std::chrono::milliseconds wait) {
    CompletionUpdate update;
    if (done_) {
        update.end = TurnEnd::TurnEnd_stop;
        return update;
    }
    std::vector<GeneratedToken> tokens;
    const FinishReason finish = stream_->next(tokens, wait);
    for (auto& token : tokens) {
        if (first_token_seconds_ < 0)
            first_token_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        ++completion_tokens_;
        std::string text = take_text(context_.codec.token_text(token.token), false);
        update.tokens.push_back(std::move(token));
        if (!has_stops_) {
            update.text += text;
            continue;
        }
        StopStringMatcher::Step step = stops_.feed(text);
        update.text += step.text;
        if (step.stopped) {
            update.end = TurnEnd::TurnEnd_stop;
            stream_->cancel();
            break;
        }
    }
    if (update.end == TurnEnd::TurnEnd_running) {
        update.end = turn_end_of(finish);
        if (update.end == TurnEnd::TurnEnd_running) return update;
        if (update.end == TurnEnd::TurnEnd_error) error_ = stream_->error();
        // The generation ended by itself: nothing more can complete a held-back stop or character.
        const std::string rest = take_text({}, true);
        update.text += has_stops_ ? stops_.feed(rest).text + stops_.flush() : rest;
    }
    done_ = true;
    return update;
}

CompletionUpdate CompletionTurn::run_to_end() {
    CompletionUpdate all;
    for (;;) {
        CompletionUpdate update = poll(std::chrono::milliseconds(1000));
        all.text += update.text;
        for (auto& token : update.tokens) all.tokens.push_back(std::move(token));
        if (update.end != TurnEnd::TurnEnd_running) {
            all.end = update.end;
            return all;
        }
    }
}

void CompletionTurn::record_metrics() const {
    context_.metrics.record_tokens(prompt_tokens(), completion_tokens_);
    if (first_token_seconds_ < 0) return;
    context_.metrics.record_time_to_first_token(first_token_seconds_);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (completion_tokens_ > 1)
        context_.metrics.record_time_per_token((total - first_token_seconds_) / double(completion_tokens_ - 1));
}

}  // namespace whale::server
