#include "whale/runtime/turn_decoder.h"

namespace whale {

TurnDecoder::TurnDecoder(const Tokenizer& tokenizer, TurnDecoderOptions options)
    : tokenizer_(tokenizer),
      utf8_(tokenizer),
      stops_(std::move(options.stop)),
      last_kind_(options.parse_chat && options.starts_in_reasoning ? ChatEventKind::ChatEventKind_reasoning
                                                                   : ChatEventKind::ChatEventKind_content) {
    if (options.parse_chat) parser_.emplace(options.format, options.starts_in_reasoning);
}

std::vector<ChatEvent> TurnDecoder::push(int32_t token) {
    std::vector<ChatEvent> events;
    ++completion_tokens_;
    // A model's vocabulary is often padded past the tokenizer's ids (DeepSeek-V3: 129,280 rows for
    // 128,815 ids); such an id stands for no text.
    const bool has_text = token >= 0 && token < tokenizer_.n_ids();
    if (has_text) raw_text_ += tokenizer_.token_bytes(token);
    if (closed_) return events;
    ++unattributed_tokens_;
    StopStringMatcher::Step step = stops_.feed(has_text ? utf8_.push(token) : std::string());
    deliver(step.text, events);
    if (step.stopped) {
        matched_stop_ = step.matched;
        close(events);
    }
    return events;
}

std::vector<ChatEvent> TurnDecoder::finish() {
    std::vector<ChatEvent> events;
    if (closed_) return events;
    StopStringMatcher::Step step = stops_.feed(utf8_.finish());
    deliver(step.text, events);
    if (step.stopped) matched_stop_ = step.matched;
    else deliver(stops_.flush(), events);
    close(events);
    return events;
}

void TurnDecoder::deliver(const std::string& text, std::vector<ChatEvent>& out) {
    if (text.empty()) return;
    std::vector<ChatEvent> events;
    if (parser_) events = parser_->feed(text);
    else events.push_back(ChatEvent{ChatEventKind::ChatEventKind_content, text, -1, {}, {}});
    attribute(events);
    for (ChatEvent& e : events) out.push_back(std::move(e));
}

void TurnDecoder::close(std::vector<ChatEvent>& out) {
    closed_ = true;
    if (parser_) {
        std::vector<ChatEvent> rest = parser_->finish();
        attribute(rest);
        for (ChatEvent& e : rest) out.push_back(std::move(e));
    }
    if (last_kind_ == ChatEventKind::ChatEventKind_reasoning) reasoning_tokens_ += unattributed_tokens_;
    unattributed_tokens_ = 0;
}

void TurnDecoder::attribute(const std::vector<ChatEvent>& events) {
    if (events.empty()) return;
    if (events.front().kind == ChatEventKind::ChatEventKind_reasoning) reasoning_tokens_ += unattributed_tokens_;
    unattributed_tokens_ = 0;
    last_kind_ = events.back().kind;
    for (const ChatEvent& e : events) n_tool_calls_ += e.kind == ChatEventKind::ChatEventKind_tool_call_start;
}

}  // namespace whale
