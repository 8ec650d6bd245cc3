#include "whale/runtime/speculative/draft_verification.h"

#include <algorithm>

#include "whale/core/error.h"

namespace whale {

DraftVerdict verify_draft(const std::vector<double>& p, const std::vector<double>& q, int32_t draft,
                          std::mt19937_64& rng) {
    WHALE_CHECK(p.size() == q.size() && !p.empty(), "verify_draft: target and draft distributions differ in size (",
                p.size(), " vs ", q.size(), ")");
    WHALE_CHECK(draft >= 0 && size_t(draft) < p.size(), "verify_draft: draft token ", draft, " outside [0, ", p.size(),
                ")");
    const double px = p[size_t(draft)], qx = q[size_t(draft)];
    // q(x) = 0 cannot happen for a token drawn from q; treat it as "never accept" rather than divide.
    if (qx > 0.0 && (px >= qx || std::uniform_real_distribution<double>(0.0, 1.0)(rng) < px / qx))
        return DraftVerdict{true, draft};
    std::vector<double> residual(p.size());
    double mass = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        residual[i] = std::max(0.0, p[i] - q[i]);
        mass += residual[i];
    }
    // No residual mass means p ≤ q everywhere, i.e. p = q: rejection is then a rounding artefact,
    // and p itself is the right distribution to draw from.
    const std::vector<double>& from = mass > 0.0 ? residual : p;
    std::discrete_distribution<int32_t> pick(from.begin(), from.end());
    return DraftVerdict{false, pick(rng)};
}

}  // namespace whale
