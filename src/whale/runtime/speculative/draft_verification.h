// The acceptance rule of speculative sampling (Leviathan et al. 2023, Chen et al. 2023): a token x
// drawn from the draft distribution q is kept with probability min(1, p(x) / q(x)); when rejected,
// the replacement is drawn from norm(max(0, p − q)). The token that comes out is then distributed
// exactly as p, whatever q is; q only decides how often the draft survives (Σ min(p, q) on average).
// With greedy decoding p and q are one-hot and the rule reduces to "keep the draft iff it is the
// target's argmax, else take the argmax".
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace whale {

struct DraftVerdict {
    bool accepted = false;
    int32_t token = -1;  // the draft when accepted, else the replacement drawn from the residual
};

// p [V] the target distribution, q [V] the draft distribution the draft was drawn from (both sum
// to 1), draft the drafted token. Consumes at most one uniform draw, plus one draw on rejection.
DraftVerdict verify_draft(const std::vector<double>& p, const std::vector<double>& q, int32_t draft,
                          std::mt19937_64& rng);

}  // namespace whale
