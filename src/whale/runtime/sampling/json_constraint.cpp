#include "whale/runtime/sampling/json_constraint.h"

#include <limits>

namespace whale {

JsonConstraint::JsonConstraint(std::shared_ptr<const std::vector<std::string>> vocab_text, std::vector<int32_t> prefix,
                               std::vector<int32_t> suffix, int32_t eos_token, int64_t max_tokens,
                               std::shared_ptr<const JsonSchema> schema)
    : vocab_text_(std::move(vocab_text)),
      prefix_(std::move(prefix)),
      suffix_(std::move(suffix)),
      eos_(eos_token),
      remaining_(max_tokens),
      in_json_(prefix_.empty()),
      schema_(schema ? std::move(schema) : any_object()),
      grammar_(schema_.get()) {}

// One compiled "any JSON object" schema for every request without a schema of its own.
std::shared_ptr<const JsonSchema> JsonConstraint::any_object() {
    static const auto schema = std::make_shared<const JsonSchema>(any_json_object_schema());
    return schema;
}

int64_t JsonConstraint::min_tokens() const {
    return int64_t(prefix_.size() + suffix_.size()) + grammar_.min_chars_to_close() + 1;
}

void JsonConstraint::force(float* logits, int64_t vocab_size, int32_t token) {
    const float kept = logits[token];
    std::fill(logits, logits + vocab_size, -std::numeric_limits<float>::infinity());
    logits[token] = kept;
}

bool JsonConstraint::allowed(int32_t token, int64_t budget) const {
    const std::string& text = (*vocab_text_)[size_t(token)];
    if (text.empty()) return false;
    auto next = grammar_;
    for (char c : text)
        if (!next.feed(c)) return false;
    // Each closing character is a token of its own in a byte-level vocabulary, so an object that
    // needs no more characters than the tokens left after this one can always be finished.
    return next.min_chars_to_close() <= budget - 1;
}

void JsonConstraint::mask(float* logits, int64_t vocab_size) {
    if (!in_json_) {
        if (!grammar_.complete()) return force(logits, vocab_size, prefix_[forced_]);
        return force(logits, vocab_size, forced_ < suffix_.size() ? suffix_[forced_] : eos_);
    }
    // Budget for the object itself: what is left after the suffix and end-of-sequence.
    const int64_t budget = remaining_ - int64_t(suffix_.size()) - 1;
    const int64_t n = std::min<int64_t>(vocab_size, int64_t(vocab_text_->size()));
    for (int64_t id = 0; id < n; ++id)
        if (!allowed(int32_t(id), budget)) logits[id] = -std::numeric_limits<float>::infinity();
    for (int64_t id = n; id < vocab_size; ++id) logits[id] = -std::numeric_limits<float>::infinity();
}

void JsonConstraint::accept(int32_t token) {
    --remaining_;
    if (!in_json_) {
        if (!grammar_.complete() && ++forced_ == prefix_.size()) {
            in_json_ = true;
            forced_ = 0;
        } else if (grammar_.complete()) {
            ++forced_;
        }
        return;
    }
    for (char c : (*vocab_text_)[size_t(token)]) grammar_.feed(c);
    if (grammar_.complete()) in_json_ = false;
}

}  // namespace whale
