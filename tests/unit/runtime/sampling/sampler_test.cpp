// Sampling rules checked on a small vocabulary: exact filters, penalty arithmetic, reproducibility
// with a seed, and the sampled distribution itself (chi-square against the softmax).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "whale/runtime/sampling/sampler.h"

namespace whale {
namespace {

std::vector<int> histogram(SamplerSettings s, const std::vector<float>& logits, int draws) {
    Sampler sampler(s);
    std::vector<int> counts(logits.size());
    for (int i = 0; i < draws; ++i) counts[size_t(sampler.sample(logits.data(), int64_t(logits.size())))]++;
    return counts;
}

TEST(SamplerTest, GreedyIsArgmaxAfterBias) {
    std::vector<float> logits = {1.0f, 3.0f, 2.0f};
    SamplerSettings s;
    EXPECT_EQ(Sampler(s).sample(logits.data(), 3), 1);
    s.logit_bias[2] = 5.0f;
    EXPECT_EQ(Sampler(s).sample(logits.data(), 3), 2);
}

TEST(SamplerTest, SampledDistributionFollowsSoftmaxAtTemperature) {
    std::vector<float> logits = {0.0f, 1.0f, 2.0f, -1.0f};
    SamplerSettings s;
    s.temperature = 0.7f;
    s.seed = 7;
    const int draws = 40000;
    std::vector<int> counts = histogram(s, logits, draws);
    double z = 0.0;
    for (float l : logits) z += std::exp(l / 0.7);
    double chi2 = 0.0;
    for (size_t i = 0; i < logits.size(); ++i) {
        double expected = draws * std::exp(logits[i] / 0.7) / z;
        chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    EXPECT_LT(chi2, 16.27);  // 3 degrees of freedom, p = 0.001
}

TEST(SamplerTest, SameSeedSameTokens) {
    std::vector<float> logits = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
    SamplerSettings s;
    s.temperature = 1.0f;
    s.seed = 42;
    Sampler a(s), b(s);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(logits.data(), 5), b.sample(logits.data(), 5));
}

TEST(SamplerTest, TopKTopPAndMinPRestrictTheSupport) {
    std::vector<float> logits = {4.0f, 3.0f, 2.0f, 1.0f, 0.0f};
    SamplerSettings s;
    s.temperature = 1.0f;
    s.top_k = 2;
    std::vector<int> counts = histogram(s, logits, 2000);
    EXPECT_GT(counts[0], 0);
    EXPECT_GT(counts[1], 0);
    EXPECT_EQ(counts[2] + counts[3] + counts[4], 0);

    s = SamplerSettings{};
    s.temperature = 1.0f;
    s.top_p = 0.6f;  // p0 = 0.636 alone reaches 0.6
    counts = histogram(s, logits, 2000);
    EXPECT_EQ(counts[0], 2000);

    s = SamplerSettings{};
    s.temperature = 1.0f;
    s.min_p = 0.3f;  // keeps p >= 0.3·p0: tokens 0 and 1 (e^-1 = 0.37)
    counts = histogram(s, logits, 2000);
    EXPECT_EQ(counts[2] + counts[3] + counts[4], 0);
    EXPECT_GT(counts[1], 0);
}

// The filters written the plain way: sort everything, cut top-k, normalise, cut top-p's prefix and
// min-p's tail. The sampler sorts only what it must, so its distribution is compared to this one.
std::vector<double> reference_distribution(const SamplerSettings& s, const std::vector<float>& logits) {
    std::vector<int> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return logits[size_t(a)] > logits[size_t(b)]; });
    size_t keep = s.top_k > 0 ? std::min<size_t>(size_t(s.top_k), order.size()) : order.size();
    std::vector<double> w(keep);
    double total = 0.0;
    for (size_t i = 0; i < keep; ++i) total += w[i] = std::exp((logits[size_t(order[i])] - logits[size_t(order[0])]) / s.temperature);
    double cumulative = 0.0;
    size_t n = 0;
    while (n < keep) {
        cumulative += w[n] / total;
        if (w[n] < s.min_p * w[0]) break;
        ++n;
        if (s.top_p < 1.0f && cumulative >= s.top_p) break;
    }
    std::vector<double> p(logits.size(), 0.0);
    double kept = 0.0;
    for (size_t i = 0; i < n; ++i) kept += w[i];
    for (size_t i = 0; i < n; ++i) p[size_t(order[i])] = w[i] / kept;
    return p;
}

TEST(SamplerTest, FiltersOnALargeVocabularyKeepTheExactDistribution) {
    // 400 tokens with p ∝ exp(-rank/40) in shuffled id order: top-p 0.95 keeps ~120 of them, more
    // than the sampler's first sorted chunk, so its incremental sorting is exercised.
    std::vector<float> logits(400);
    std::vector<int> ranks(logits.size());
    std::iota(ranks.begin(), ranks.end(), 0);
    std::shuffle(ranks.begin(), ranks.end(), std::mt19937(3));
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = -float(ranks[i]) / 40.0f;

    std::vector<SamplerSettings> cases(3);
    for (SamplerSettings& s : cases) s.temperature = 1.0f;
    cases[0].top_p = 0.95f;
    cases[1].top_k = 100;
    cases[1].top_p = 0.9f;
    cases[2].min_p = 0.1f;
    cases[2].temperature = 0.8f;
    for (SamplerSettings s : cases) {
        s.seed = 11;
        const int draws = 50000;
        std::vector<int> counts = histogram(s, logits, draws);
        std::vector<double> p = reference_distribution(s, logits);
        double chi2 = 0.0;
        int support = 0;
        for (size_t i = 0; i < p.size(); ++i) {
            if (p[i] == 0.0) {
                EXPECT_EQ(counts[i], 0) << "token " << i << " is outside the filtered support";
                continue;
            }
            ++support;
            const double expected = draws * p[i];
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        // p = 0.001 critical value of chi-square with support-1 degrees of freedom (Wilson-Hilferty).
        const double dof = support - 1;
        const double critical = dof * std::pow(1.0 - 2.0 / (9.0 * dof) + 3.09 * std::sqrt(2.0 / (9.0 * dof)), 3);
        EXPECT_LT(chi2, critical) << "top_k " << s.top_k << " top_p " << s.top_p << " min_p " << s.min_p
                                  << " support " << support;
        EXPECT_GT(support, 64);
    }
}

TEST(SamplerTest, PenaltiesFollowTheirRules) {
    std::vector<float> logits = {2.0f, -2.0f, 1.0f, 0.5f};
    SamplerSettings s;
    s.repetition_penalty = 2.0f;
    s.presence_penalty = 0.5f;
    s.frequency_penalty = 0.25f;
    Sampler sampler(s);
    sampler.accept_prompt({0, 1});
    sampler.accept(2);
    sampler.accept(2);
    std::vector<float> adjusted = sampler.adjusted_logits(logits.data(), 4);
    EXPECT_FLOAT_EQ(adjusted[0], 1.0f);             // prompt token, positive: divided
    EXPECT_FLOAT_EQ(adjusted[1], -4.0f);            // prompt token, negative: multiplied
    EXPECT_FLOAT_EQ(adjusted[2], 0.5f - 0.5f - 0.5f);  // generated twice: /2, − presence, − 2·frequency
    EXPECT_FLOAT_EQ(adjusted[3], 0.5f);
}

TEST(SamplerTest, LogSoftmaxNormalises) {
    std::vector<float> logits = {1.0f, 2.0f, 3.0f}, out(3);
    log_softmax(out.data(), logits.data(), 3);
    double total = 0.0;
    for (float v : out) total += std::exp(double(v));
    EXPECT_NEAR(total, 1.0, 1e-6);
    EXPECT_NEAR(out[2] - out[1], 1.0f, 1e-6);
}

// Speculative decoding verifies against distribution(); it must be exactly what sample() draws from.
TEST(SamplerTest, DistributionIsWhatSampleDrawsFrom) {
    std::vector<float> logits = {4.0f, 3.0f, 2.0f, 1.0f, 0.0f};
    SamplerSettings s;
    std::vector<double> greedy = Sampler(s).distribution(logits.data(), 5);
    EXPECT_EQ(greedy, (std::vector<double>{1, 0, 0, 0, 0}));

    s.temperature = 0.9f;
    s.top_k = 3;
    s.seed = 3;
    std::vector<double> p = Sampler(s).distribution(logits.data(), 5);
    const double t = s.temperature;  // 0.9f as the sampler holds it
    double z = 0.0;
    for (int i = 0; i < 3; ++i) z += std::exp(logits[size_t(i)] / t);
    // The sampler weighs tokens with single-precision exponentials.
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(p[size_t(i)], std::exp(logits[size_t(i)] / t) / z, 1e-6);
    EXPECT_EQ(p[3] + p[4], 0.0);

    const int draws = 40000;
    std::vector<int> counts = histogram(s, logits, draws);
    double chi2 = 0.0;
    for (int i = 0; i < 3; ++i) {
        const double expected = draws * p[size_t(i)];
        chi2 += (counts[size_t(i)] - expected) * (counts[size_t(i)] - expected) / expected;
    }
    EXPECT_LT(chi2, 13.82);  // 2 degrees of freedom, p = 0.001
    EXPECT_EQ(counts[3] + counts[4], 0);
}

}  // namespace
}  // namespace whale
