// Routing variants of docs/models/moe_routing.md on small hand-checked examples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "whale/model/blocks/moe_router.h"

namespace whale {
namespace {

struct Routed {
    std::vector<int32_t> experts;
    std::vector<float> weights;
};

Routed route(const std::vector<float>& logits, const std::vector<float>& bias, const RouterSettings& s) {
    Routed r{std::vector<int32_t>(size_t(s.top_k)), std::vector<float>(size_t(s.top_k))};
    std::vector<float> scratch(2 * logits.size());
    route_token(r.experts.data(), r.weights.data(), logits.data(), bias.empty() ? nullptr : bias.data(), s,
                scratch.data());
    return r;
}

TEST(MoeRouterTest, SoftmaxGreedyIsPlainTopKScaled) {
    RouterSettings s{4, 2, 1, 1, RouterScoring::RouterScoring_softmax, RouterSelection::RouterSelection_greedy, false, 2.0f};
    std::vector<float> logits = {0.0f, 3.0f, 1.0f, 2.0f};
    Routed r = route(logits, {}, s);
    EXPECT_EQ(r.experts, (std::vector<int32_t>{1, 3}));
    double z = std::exp(0.0) + std::exp(3.0) + std::exp(1.0) + std::exp(2.0);
    EXPECT_NEAR(r.weights[0], 2.0 * std::exp(3.0) / z, 1e-6);  // not renormalised
    EXPECT_NEAR(r.weights[1], 2.0 * std::exp(2.0) / z, 1e-6);
}

TEST(MoeRouterTest, GroupLimitedGreedyRanksGroupsByTheirBest) {
    // Groups {0,1} {2,3} {4,5}; best per group: 5 (g0), 4.5 (g1), 4.9 (g2). Keep 2 groups: g0, g2.
    RouterSettings s{6, 3, 3, 2, RouterScoring::RouterScoring_softmax,
                     RouterSelection::RouterSelection_group_limited_greedy, false, 1.0f};
    std::vector<float> logits = {5.0f, 0.0f, 4.5f, 4.4f, 4.9f, 1.0f};
    Routed r = route(logits, {}, s);
    EXPECT_EQ(r.experts, (std::vector<int32_t>{0, 4, 5}));
}

TEST(MoeRouterTest, NoauxTcBiasSelectsButDoesNotWeigh) {
    // Groups of 2; group score = sum of both biased scores. Bias pushes expert 3 (and its group) in.
    RouterSettings s{6, 2, 3, 1, RouterScoring::RouterScoring_sigmoid, RouterSelection::RouterSelection_noaux_tc, true,
                     2.5f};
    std::vector<float> logits = {2.0f, 2.0f, 0.0f, 0.0f, -1.0f, -1.0f};
    std::vector<float> bias = {-1.0f, -1.0f, 0.5f, 0.9f, 0.0f, 0.0f};
    Routed r = route(logits, bias, s);
    EXPECT_EQ(r.experts, (std::vector<int32_t>{3, 2}));
    // Weights come from the unbiased sigmoid scores (both 0.5), renormalised then scaled.
    EXPECT_NEAR(r.weights[0], 1.25f, 1e-6);
    EXPECT_NEAR(r.weights[1], 1.25f, 1e-6);
}

TEST(MoeRouterTest, NoauxTcMasksDroppedGroupsWithNegativeInfinity) {
    // All biased scores in the kept group are negative; a 0.0 mask would wrongly pick dropped experts.
    RouterSettings s{4, 2, 2, 1, RouterScoring::RouterScoring_sigmoid, RouterSelection::RouterSelection_noaux_tc, true,
                     1.0f};
    std::vector<float> logits = {0.0f, 0.0f, -5.0f, -5.0f};
    std::vector<float> bias = {-0.9f, -0.8f, -2.0f, -2.0f};
    Routed r = route(logits, bias, s);
    std::vector<int32_t> sorted = r.experts;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int32_t>{0, 1}));
}

}  // namespace
}  // namespace whale
