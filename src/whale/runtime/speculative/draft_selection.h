// The two sampler-facing halves of the scheduler's speculative step (scheduler_speculation.cpp):
// picking each draft token from the drafter's scores, and checking the drafts against the target
// model's scores (greedy prefix or the rejection rule).
#pragma once

#include <cstdint>
#include <vector>

#include "whale/runtime/sampling/sampler.h"

namespace whale {

// Picks a draft from the drafter's scores logits [vocab] f32 as the sampler would: the argmax after
// bias and penalties when greedy; else a draw from sampler.distribution(), which is appended to
// draft_q for verification.
int32_t choose_draft(Sampler& sampler, const float* logits, int64_t vocab, std::vector<std::vector<double>>& draft_q);

struct VerifiedDrafts {
    std::vector<int32_t> tokens;  // the accepted drafts, then the target's correction or bonus token
    size_t kept = 0;              // accepted drafts
};

// logits [1 + drafts.size(), vocab] f32: the target's scores after the pending token and after each
// draft. draft_q: the distribution each draft was drawn from (ignored when greedy). Every returned
// token is accepted into the sampler in order, so penalties see the same history as plain decoding.
VerifiedDrafts verify_drafts(Sampler& sampler, const float* logits, int64_t vocab, const std::vector<int32_t>& drafts,
                             const std::vector<std::vector<double>>& draft_q);

}  // namespace whale
