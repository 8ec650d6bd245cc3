// A rule on which tokens may come next (a JSON grammar, a forced tool call). The scheduler masks
// the logits with it before sampling and tells it every token it accepted; when the rule is
// complete it allows only end-of-sequence. The JSON masks live beside it (json_constraint.h); an
// API only decides which one a request asks for (server/constraints.h).
#pragma once

#include <cstdint>

namespace whale {

class TokenConstraint {
public:
    virtual ~TokenConstraint() = default;
    // Sets the logits of forbidden tokens to -inf. logits [vocab_size] f32.
    virtual void mask(float* logits, int64_t vocab_size) = 0;
    virtual void accept(int32_t token) = 0;
};

}  // namespace whale
