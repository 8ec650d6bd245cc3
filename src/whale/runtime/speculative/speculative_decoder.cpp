#include "whale/runtime/speculative/speculative_decoder.h"

#include <algorithm>

#include "whale/core/error.h"
#include "whale/runtime/speculative/draft_selection.h"

namespace whale {

SpeculativeDecoder::SpeculativeDecoder(Session& session, Sampler& sampler, Drafter& drafter, int n_draft)
    : session_(session), sampler_(sampler), drafter_(drafter), n_draft_(n_draft),
      vocab_(session.model().vocab_size) {
    WHALE_CHECK(n_draft >= 0, "speculative decoding: draft length ", n_draft, " is negative");
}

int32_t SpeculativeDecoder::start(const std::vector<int32_t>& prompt) {
    AppendOptions options;
    options.final_hidden = &hidden_;
    std::vector<float> logits = session_.append(prompt, options);
    pending_ = sampler_.sample(logits.data(), vocab_);
    sampler_.accept(pending_);
    stats_.generated = 1;
    return pending_;
}

std::vector<int32_t> SpeculativeDecoder::step(int max_tokens) {
    WHALE_CHECK(pending_ >= 0, "speculative decoding: step() before start()");
    WHALE_CHECK(max_tokens >= 1, "speculative decoding: step() asked for ", max_tokens, " tokens");
    const int64_t position = session_.position();
    const int64_t d = session_.model().hidden_size;
    // Drafting past the token budget would only be thrown away.
    const int n_draft = std::min(n_draft_, max_tokens - 1);
    std::vector<std::vector<double>> draft_q;
    std::vector<int32_t> drafts;
    if (n_draft > 0) {
        DraftContext ctx{session_, pending_, hidden_.data(), int64_t(hidden_.size()) / d};
        drafts = drafter_.propose(ctx, n_draft,
                                  [&](const float* logits) { return choose_draft(sampler_, logits, vocab_, draft_q); });
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
    VerifiedDrafts verified = verify_drafts(sampler_, logits.data(), vocab_, drafts, draft_q);
    ++stats_.steps;
    stats_.drafted += int64_t(drafts.size());
    stats_.accepted += int64_t(verified.kept);
    stats_.generated += int64_t(verified.tokens.size());

    // Keep the pending token and the accepted drafts; the rejected drafts' cache rows are forgotten.
    session_.rewind(position + 1 + int64_t(verified.kept));
    hidden.resize((verified.kept + 1) * size_t(d));
    hidden_ = std::move(hidden);
    pending_ = verified.tokens.back();
    return verified.tokens;
}

}  // namespace whale
