// Speculative decoding on one session: a drafter proposes n tokens, the target model scores the
// pending token and all drafts in ONE forward, and the longest prefix it agrees with is kept
// (greedy: the draft equals its argmax; sampling: the rejection rule of draft_verification.h), plus
// one token of the target's own: the correction at the first rejection, or a bonus token when every
// draft survived. The session is rewound past the rejected drafts, which also discards the MTP rows
// written for them. Output is token for token what plain decoding with the same sampler gives when
// greedy, and distributed identically when sampling.
#pragma once

#include <cstdint>
#include <vector>

#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/speculative/drafter.h"

namespace whale {

struct SpeculativeStats {
    int64_t steps = 0;      // verification forwards
    int64_t drafted = 0;    // draft tokens proposed
    int64_t accepted = 0;   // draft tokens the target model kept
    int64_t generated = 0;  // tokens produced (accepted drafts + one per step + the first)
    double acceptance_rate() const { return drafted > 0 ? double(accepted) / double(drafted) : 0.0; }
    // Tokens per target-model forward after the prompt; 1 without speculation.
    double tokens_per_step() const { return steps > 0 ? double(generated - 1) / double(steps) : 0.0; }
};

class SpeculativeDecoder {
public:
    // The sampler's settings decide greedy (temperature 0) or sampled verification. n_draft >= 0.
    SpeculativeDecoder(Session& session, Sampler& sampler, Drafter& drafter, int n_draft);

    // Appends the prompt and returns the first generated token (pending: not yet in the session).
    int32_t start(const std::vector<int32_t>& prompt);
    // One draft-and-verify step: returns 1 to max_tokens tokens (at most n_draft + 1). All but the
    // last are now in the session; the last is the new pending token.
    std::vector<int32_t> step(int max_tokens);

    int32_t pending() const { return pending_; }
    const SpeculativeStats& stats() const { return stats_; }

private:
    Session& session_;
    Sampler& sampler_;
    Drafter& drafter_;
    int n_draft_;
    int64_t vocab_ = 0;
    int32_t pending_ = -1;
    std::vector<float> hidden_;                  // [n, D] main hidden states of positions not yet drafted from
    SpeculativeStats stats_;
};

}  // namespace whale
