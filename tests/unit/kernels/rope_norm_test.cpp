// RoPE pairings, RMSNorm and softmax against direct formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "whale/kernels/activation.h"
#include "whale/kernels/norm.h"
#include "whale/kernels/rope.h"

namespace whale {
namespace {

TEST(RopeTest, InterleavedRotatesAdjacentPairs) {
    std::vector<float> x = {1, 0, 0, 2};
    float cos[2] = {0.0f, 1.0f}, sin[2] = {1.0f, 0.0f};  // pair 0 by 90°, pair 1 by 0°
    rope_rotate_interleaved(x.data(), cos, sin, 2);
    EXPECT_FLOAT_EQ(x[0], 0.0f);
    EXPECT_FLOAT_EQ(x[1], 1.0f);
    EXPECT_FLOAT_EQ(x[2], 0.0f);
    EXPECT_FLOAT_EQ(x[3], 2.0f);
}

TEST(RopeTest, HalfSplitPairsFirstAndSecondHalf) {
    std::vector<float> x = {1, 0, 0, 2};  // pairs (x0, x2) and (x1, x3)
    float cos[2] = {0.0f, 0.0f}, sin[2] = {1.0f, 1.0f};
    rope_rotate_half_split(x.data(), cos, sin, 2);
    EXPECT_FLOAT_EQ(x[0], 0.0f);
    EXPECT_FLOAT_EQ(x[2], 1.0f);
    EXPECT_FLOAT_EQ(x[1], -2.0f);
    EXPECT_FLOAT_EQ(x[3], 0.0f);
}

TEST(NormTest, RmsNormMatchesFormula) {
    std::vector<float> x = {1, -2, 3, -4}, w = {1, 2, 3, 4}, out(4);
    rmsnorm(out.data(), x.data(), w.data(), 1, 4, 1e-6f);
    float rms = std::sqrt((1 + 4 + 9 + 16) / 4.0f + 1e-6f);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[size_t(i)], w[size_t(i)] * x[size_t(i)] / rms, 1e-6f);
}

TEST(SoftmaxTest, SumsToOneAndMasksNegativeInfinity) {
    std::vector<float> x = {1.0f, 2.0f, -std::numeric_limits<float>::infinity(), 3.0f};
    softmax_inplace(x.data(), 4);
    EXPECT_EQ(x[2], 0.0f);
    EXPECT_NEAR(x[0] + x[1] + x[3], 1.0f, 1e-6f);
    EXPECT_NEAR(x[3] / x[1], std::exp(1.0f), 1e-5f);
}

}  // namespace
}  // namespace whale
