#include "whale/model/blocks/moe_router.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "whale/kernels/activation.h"

namespace whale {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// Indices of the k largest values, larger first; ties go to the lower index.
void top_k_indices(int32_t* out, const float* values, int64_t n, int64_t k) {
    thread_local std::vector<int32_t> order;  // reused: decode allocates nothing
    order.resize(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
        return values[a] != values[b] ? values[a] > values[b] : a < b;
    });
    std::copy(order.begin(), order.begin() + k, out);
}

// Keeps the topk_group best groups of `choice` (by `group_score`) and sets the rest to `masked`.
template <typename GroupScore>
void mask_groups(float* choice, const RouterSettings& s, float masked, GroupScore group_score) {
    const int64_t group_size = s.n_experts / s.n_group;
    thread_local std::vector<float> scores;  // [n_group], reused
    thread_local std::vector<int32_t> kept;  // [topk_group], reused
    scores.resize(size_t(s.n_group));
    kept.resize(size_t(s.topk_group));
    for (int64_t g = 0; g < s.n_group; ++g) scores[size_t(g)] = group_score(choice + g * group_size, group_size);
    top_k_indices(kept.data(), scores.data(), s.n_group, s.topk_group);
    for (int64_t g = 0; g < s.n_group; ++g) {
        if (std::find(kept.begin(), kept.end(), int32_t(g)) != kept.end()) continue;
        for (int64_t e = 0; e < group_size; ++e) choice[g * group_size + e] = masked;
    }
}

float group_max(const float* v, int64_t n) { return *std::max_element(v, v + n); }

float group_top2_sum(const float* v, int64_t n) {
    float first = neg_inf, second = neg_inf;
    for (int64_t i = 0; i < n; ++i) {
        if (v[i] > first) {
            second = first;
            first = v[i];
        } else if (v[i] > second) {
            second = v[i];
        }
    }
    return first + second;
}

}  // namespace

void route_token(int32_t* experts, float* weights, const float* logits, const float* bias,
                 const RouterSettings& s, float* scratch) {
    const int64_t n = s.n_experts;
    float* scores = scratch;      // [E] affinities used for the weights
    float* choice = scratch + n;  // [E] scores used for selection
    std::copy(logits, logits + n, scores);
    if (s.scoring == RouterScoring::RouterScoring_softmax)
        softmax_inplace(scores, n);
    else
        for (int64_t e = 0; e < n; ++e) scores[e] = sigmoid(scores[e]);
    std::copy(scores, scores + n, choice);

    switch (s.selection) {
        case RouterSelection::RouterSelection_greedy:
            break;
        case RouterSelection::RouterSelection_group_limited_greedy:
            // HF zeroes the dropped groups; softmax scores are positive so that equals -inf masking.
            mask_groups(choice, s, 0.0f, group_max);
            break;
        case RouterSelection::RouterSelection_noaux_tc:
            // The bias steers selection only; weights below come from the unbiased scores.
            if (bias)
                for (int64_t e = 0; e < n; ++e) choice[e] += bias[e];
            mask_groups(choice, s, neg_inf, group_top2_sum);
            break;
    }
    top_k_indices(experts, choice, n, s.top_k);

    float sum = 0.0f;
    for (int64_t k = 0; k < s.top_k; ++k) {
        weights[k] = scores[experts[k]];
        sum += weights[k];
    }
    // HF adds 1e-20 to the denominator; it only matters for an all-zero selection.
    const float norm = s.normalize ? 1.0f / (sum + 1e-20f) : 1.0f;
    for (int64_t k = 0; k < s.top_k; ++k) weights[k] = weights[k] * norm * s.scale;
}

}  // namespace whale
