// The speculative-sampling acceptance rule on a 6-token vocabulary with fixed target p and draft q:
// drafts drawn from q and passed through verify_draft must come out distributed as p (not as q),
// drafts must survive at the rate Σ min(p, q), and one-hot (greedy) distributions must reduce to
// "keep iff equal to the target's argmax".
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "whale/core/error.h"
#include "whale/runtime/speculative/draft_verification.h"

namespace whale {
namespace {

const std::vector<double> target = {0.30, 0.05, 0.25, 0.10, 0.20, 0.10};
const std::vector<double> draft_q = {0.10, 0.30, 0.25, 0.05, 0.10, 0.20};
constexpr int draws = 100000;

// Pearson chi-square of counts against probabilities.
double chi_square(const std::vector<int>& counts, const std::vector<double>& probs) {
    double chi2 = 0.0;
    for (size_t i = 0; i < counts.size(); ++i) {
        const double expected = draws * probs[i];
        chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    return chi2;
}

// 5 degrees of freedom: P(chi2 > 20.52) = 0.001. The seed is fixed, so the test is deterministic;
// the bound says how unlikely a pass would be for a wrong rule at this sample size.
constexpr double chi2_bound_5_dof = 20.52;

struct Outcome {
    std::vector<int> counts = std::vector<int>(6, 0);  // tokens that came out
    int accepted = 0;
};

Outcome run_rule(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::discrete_distribution<int32_t> from_q(draft_q.begin(), draft_q.end());
    Outcome out;
    for (int i = 0; i < draws; ++i) {
        DraftVerdict v = verify_draft(target, draft_q, from_q(rng), rng);
        ++out.counts[size_t(v.token)];
        out.accepted += v.accepted;
    }
    return out;
}

TEST(DraftVerificationTest, OutputIsDistributedAsTheTarget) {
    Outcome out = run_rule(1234);
    EXPECT_LT(chi_square(out.counts, target), chi2_bound_5_dof);
    // The same counts are nowhere near the draft distribution, so the check above can fail: a rule
    // that kept every draft would produce q.
    EXPECT_GT(chi_square(out.counts, draft_q), 1000.0);
}

TEST(DraftVerificationTest, AcceptanceRateIsTheOverlapOfTheDistributions) {
    Outcome out = run_rule(99);
    double overlap = 0.0;
    for (size_t i = 0; i < target.size(); ++i) overlap += std::min(target[i], draft_q[i]);  // 0.70
    const double rate = double(out.accepted) / draws;
    // Binomial standard deviation sqrt(0.7·0.3/1e5) ≈ 0.0015; allow 5 of them.
    EXPECT_NEAR(rate, overlap, 0.0075);
}

TEST(DraftVerificationTest, EqualDistributionsAlwaysAccept) {
    std::mt19937_64 rng(5);
    for (int32_t token = 0; token < 6; ++token) EXPECT_TRUE(verify_draft(target, target, token, rng).accepted);
}

TEST(DraftVerificationTest, OneHotDistributionsAreGreedyVerification) {
    std::mt19937_64 rng(7);
    const std::vector<double> p = {0, 0, 1, 0}, q_right = {0, 0, 1, 0}, q_wrong = {0, 1, 0, 0};
    EXPECT_EQ(verify_draft(p, q_right, 2, rng).accepted, true);
    DraftVerdict wrong = verify_draft(p, q_wrong, 1, rng);
    EXPECT_FALSE(wrong.accepted);
    EXPECT_EQ(wrong.token, 2);
}

TEST(DraftVerificationTest, MismatchedInputsAreErrors) {
    std::mt19937_64 rng(1);
    EXPECT_THROW(verify_draft(target, {0.5, 0.5}, 0, rng), Error);
    EXPECT_THROW(verify_draft(target, draft_q, 6, rng), Error);
}

}  // namespace
}  // namespace whale
