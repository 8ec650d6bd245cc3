#include "whale/runtime/speculative/draft_selection.h"

#include "whale/core/error.h"
#include "whale/runtime/speculative/draft_verification.h"

namespace whale {

namespace {

bool is_greedy(const Sampler& sampler) { return sampler.settings().temperature <= 0.0f; }

}  // namespace

int32_t choose_draft(Sampler& sampler, const float* logits, int64_t vocab, std::vector<std::vector<double>>& draft_q) {
    if (is_greedy(sampler)) return argmax(sampler.adjusted_logits(logits, vocab).data(), vocab);
    draft_q.push_back(sampler.distribution(logits, vocab));
    return sampler.sample_from(draft_q.back());
}

VerifiedDrafts verify_drafts(Sampler& sampler, const float* logits, int64_t vocab, const std::vector<int32_t>& drafts,
                             const std::vector<std::vector<double>>& draft_q) {
    const bool greedy = is_greedy(sampler);
    WHALE_CHECK(greedy || draft_q.size() >= drafts.size(), "verify_drafts: ", drafts.size(), " drafts but ",
                draft_q.size(), " draft distributions");
    VerifiedDrafts out;
    auto take = [&](int32_t token) {
        sampler.accept(token);
        out.tokens.push_back(token);
    };
    for (; out.kept < drafts.size(); ++out.kept) {
        const float* row = logits + out.kept * size_t(vocab);
        const int32_t draft = drafts[out.kept];
        if (greedy) {
            const int32_t target = sampler.sample(row, vocab);
            if (target != draft) return take(target), out;
        } else {
            DraftVerdict verdict =
                verify_draft(sampler.distribution(row, vocab), draft_q[out.kept], draft, sampler.rng());
            if (!verdict.accepted) return take(verdict.token), out;
        }
        take(draft);
    }
    // Every draft survived: the target's scores after the last one give a bonus token for free.
    take(sampler.sample(logits + drafts.size() * size_t(vocab), vocab));
    return out;
}

}  // namespace whale
