#include "whale/runtime/speculative/speculative_decoder.h"

#include <algorithm>

#include "whale/core/error.h"
#include "whale/runtime/speculative/draft_verification.h"

namespace whale {

SpeculativeDecoder::SpeculativeDecoder(Session& session, Sampler& sampler, Drafter& drafter, int n_draft)
    : session_(session), sampler_(sampler), drafter_(drafter), n_draft_(n_draft),
      vocab_(session.model().vocab_size), greedy_(sampler.settings().temperature <= 0.0f) {
    WHALE_CHECK(n_draft >= 0, "speculative decoding: draft length ", n_draft, " is negative");
}

int32_t SpeculativeDecoder::choose(int32_t token) {
    sampler_.accept(token);
    ++stats_.generated;
    return token;
}

int32_t SpeculativeDecoder::start(const std::vector<int32_t>& prompt) {
    AppendOptions options;
    options.final_hidden = &hidden_;
    std::vector<float> logits = session_.append(prompt, options);
    pending_ = choose(sampler_.sample(logits.data(), vocab_));
    return pending_;
}

int32_t SpeculativeDecoder::choose_draft(const float* logits) {
    if (greedy_) return argmax(sampler_.adjusted_logits(logits, vocab_).data(), vocab_);
    draft_q_.push_back(sampler_.distribution(logits, vocab_));
    return sampler_.sample_from(draft_q_.back());
}

std::vector<int32_t> SpeculativeDecoder::step(int max_tokens) {
    WHALE_CHECK(pending_ >= 0, "speculative decoding: step() before start()");
    WHALE_CHECK(max_tokens >= 1, "speculative decoding: step() asked for ", max_tokens, " tokens");
    const int64_t position = session_.position();
    const int64_t d = session_.model().hidden_size;
    // Drafting past the token budget would only be thrown away.
    const int n_draft = std::min(n_draft_, max_tokens - 1);
    draft_q_.clear();
    std::vector<int32_t> drafts;
    if (n_draft > 0) {
        DraftContext ctx{session_, pending_, hidden_.data(), int64_t(hidden_.size()) / d};
        drafts = drafter_.propose(ctx, n_draft, [this](const float* logits) { return choose_draft(logits); });
        drafts.resize(std::min(drafts.size(), size_t(n_draft)));
    }

    std::vector<int32_t> verify = {pending_};
    verify.insert(verify.end(), drafts.begin(), drafts.end());
    AppendOptions options;
    options.all_logits = true;
    // Per query the absorbed form is what plain decoding runs for its single token, so each verified
    // row repeats that arithmetic instead of the explicit prompt form (same result up to rounding).
    options.attention = AttentionPath::AttentionPath_absorbed;
    std::vector<float> hidden;
    options.final_hidden = &hidden;
    const std::vector<float> logits = session_.append(verify, options);  // [1 + n, V]
    ++stats_.steps;
    stats_.drafted += int64_t(drafts.size());

    std::vector<int32_t> out;
    size_t kept = 0;
    for (; kept < drafts.size(); ++kept) {
        const float* row = logits.data() + kept * size_t(vocab_);
        const int32_t draft = drafts[kept];
        if (greedy_) {
            const int32_t target = sampler_.sample(row, vocab_);
            if (target != draft) {
                out.push_back(choose(target));
                break;
            }
        } else {
            DraftVerdict verdict = verify_draft(sampler_.distribution(row, vocab_), draft_q_[kept], draft, sampler_.rng());
            if (!verdict.accepted) {
                out.push_back(choose(verdict.token));
                break;
            }
        }
        out.push_back(choose(draft));
    }
    stats_.accepted += int64_t(kept);
    // Every draft survived: the target's scores after the last one give a bonus token for free.
    if (kept == drafts.size()) out.push_back(choose(sampler_.sample(logits.data() + kept * size_t(vocab_), vocab_)));

    // Keep the pending token and the accepted drafts; the rejected drafts' cache rows are forgotten.
    session_.rewind(position + 1 + int64_t(kept));
    hidden.resize((kept + 1) * size_t(d));
    hidden_ = std::move(hidden);
    pending_ = out.back();
    return out;
}

}  // namespace whale
