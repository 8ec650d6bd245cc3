// What speculative decoding asks of a drafter: propose the tokens most likely to follow. The MTP
// module is the drafter Whale ships (mtp_drafter.h); tests plug in drafters that are always right or
// always wrong to exercise both sides of verification.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "whale/runtime/engine.h"

namespace whale {

struct DraftContext {
    Session& session;            // the committed tokens (session.tokens()) and their cache
    int32_t next_token = -1;     // chosen after the last committed token, not yet in the session
    const float* new_hidden = nullptr;  // [n_new, hidden] the main model's final normed hidden states
    int64_t n_new = 0;                  //   of the last n_new committed positions, oldest first
};

// Picks one draft token from the drafter's scores [vocab] f32 for that position (greedy, or drawn
// from the sampler's distribution, which the decoder records for verification).
using ChooseDraft = std::function<int32_t(const float* logits)>;

class Drafter {
public:
    virtual ~Drafter() = default;
    // Proposes up to n_draft tokens to follow ctx.next_token, each picked with `choose` from the
    // drafter's own scores. Rows the drafter writes past the committed tokens are its own business:
    // the decoder rolls the session back to what the target model accepted.
    virtual std::vector<int32_t> propose(const DraftContext& ctx, int n_draft, const ChooseDraft& choose) = 0;
};

}  // namespace whale
