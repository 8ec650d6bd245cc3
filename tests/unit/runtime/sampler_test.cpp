// Sampling rules checked on a small vocabulary: exact filters, penalty arithmetic, reproducibility
// with a seed, and the sampled distribution itself (chi-square against the softmax).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "whale/runtime/sampler.h"

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
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(p[size_t(i)], std::exp(logits[size_t(i)] / t) / z, 1e-12);
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
