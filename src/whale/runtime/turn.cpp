#include "whale/runtime/turn.h"

namespace whale {

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

Turn::Turn(std::shared_ptr<GenerationStream> stream, const Tokenizer& tokenizer, TurnDecoderOptions options)
    : stream_(std::move(stream)), decoder_(tokenizer, std::move(options)), start_(std::chrono::steady_clock::now()) {}

Turn::~Turn() {
    if (!ended()) stream_->cancel();
}

double Turn::seconds_since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

TurnUpdate Turn::poll(std::chrono::milliseconds wait) {
    TurnUpdate update;
    update.end = end_;
    if (ended()) return update;
    std::vector<GeneratedToken> tokens;
    finish_ = stream_->next(tokens, wait);
    for (GeneratedToken& token : tokens) {
        if (first_token_seconds_ < 0) first_token_seconds_ = seconds_since_start();
        generated_.push_back(token.token);
        for (ChatEvent& e : decoder_.push(token.token)) update.events.push_back(std::move(e));
        update.tokens.push_back(std::move(token));
        if (decoder_.stopped()) {
            // A stop string ended the turn: the scheduler may stop generating.
            update.end = TurnEnd::TurnEnd_stop;
            stream_->cancel();
            break;
        }
    }
    if (update.end == TurnEnd::TurnEnd_running) {
        update.end = turn_end_of(finish_);
        if (update.end == TurnEnd::TurnEnd_running) return update;
        if (update.end == TurnEnd::TurnEnd_error) error_ = stream_->error();
        for (ChatEvent& e : decoder_.finish()) update.events.push_back(std::move(e));
    }
    if (decoder_.n_tool_calls() > 0 && update.end == TurnEnd::TurnEnd_stop) update.end = TurnEnd::TurnEnd_tool_calls;
    end_ = update.end;
    return update;
}

TurnUpdate Turn::run_to_end(const std::function<void(const TurnUpdate&)>& on_update) {
    TurnUpdate all;
    for (;;) {
        TurnUpdate update = poll(std::chrono::milliseconds(1000));
        if (on_update) on_update(update);
        for (ChatEvent& e : update.events) all.events.push_back(std::move(e));
        for (GeneratedToken& t : update.tokens) all.tokens.push_back(std::move(t));
        if (update.end != TurnEnd::TurnEnd_running) {
            all.end = update.end;
            return all;
        }
    }
}

}  // namespace whale
