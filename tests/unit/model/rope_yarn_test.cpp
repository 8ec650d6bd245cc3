// YaRN tables against the worked values in docs/models/rope_yarn.md, 'YaRN interpolation'.
#include <gtest/gtest.h>

#include <cmath>

#include "whale/model/blocks/rope_yarn.h"

namespace whale {
namespace {

RopeSettings deepseek_v3_rope() {
    RopeSettings s;
    s.yarn = true;
    s.factor = 40.0;
    s.original_max_position = 4096;
    s.mscale = 1.0;
    s.mscale_all_dim = 1.0;
    return s;
}

TEST(RopeYarnTest, CorrectionRangeMatchesWorkedValues) {
    double lo, hi;
    yarn_correction_range(deepseek_v3_rope(), 64, &lo, &hi);
    EXPECT_EQ(lo, 10.0);
    EXPECT_EQ(hi, 23.0);

    RopeSettings v4 = deepseek_v3_rope();
    v4.theta = 160000.0;
    v4.factor = 16.0;
    v4.original_max_position = 65536;
    yarn_correction_range(v4, 64, &lo, &hi);
    EXPECT_EQ(lo, 15.0);
    EXPECT_EQ(hi, 25.0);
}

TEST(RopeYarnTest, FrequenciesKeepHighAndScaleLowPairs) {
    RopeTable table(deepseek_v3_rope(), 64);
    for (int i = 0; i < 32; ++i) {
        float base = 1.0f / std::pow(10000.0f, float(2 * i) / 64.0f);
        if (i <= 10) EXPECT_FLOAT_EQ(table.inv_freq()[size_t(i)], base) << i;
        if (i >= 23) EXPECT_FLOAT_EQ(table.inv_freq()[size_t(i)], base / 40.0f) << i;
        if (i > 10 && i < 23) {
            EXPECT_LT(table.inv_freq()[size_t(i)], base);
            EXPECT_GT(table.inv_freq()[size_t(i)], base / 40.0f);
        }
    }
    EXPECT_FLOAT_EQ(table.attention_factor(), 1.0f);  // equal mscales: ratio 1
}

TEST(RopeYarnTest, SoftmaxScaleCorrection) {
    EXPECT_NEAR(yarn_mscale(40.0, 1.0), 1.368888, 1e-6);
    EXPECT_NEAR(yarn_softmax_scale_multiplier(deepseek_v3_rope()), 1.873854, 1e-6);
    EXPECT_NEAR(yarn_softmax_scale_multiplier(deepseek_v3_rope()) / std::sqrt(192.0), 0.135234, 1e-6);
    RopeSettings v2 = deepseek_v3_rope();
    v2.mscale = v2.mscale_all_dim = 0.707;
    EXPECT_NEAR(yarn_softmax_scale_multiplier(v2), 1.589626, 1e-6);
    RopeSettings plain;
    EXPECT_EQ(yarn_softmax_scale_multiplier(plain), 1.0);
}

TEST(RopeYarnTest, CosSinMagnitudeUsesMscaleRatio) {
    RopeSettings s = deepseek_v3_rope();
    s.mscale = 0.707;
    s.mscale_all_dim = 1.0;
    RopeTable table(s, 8);
    EXPECT_NEAR(table.attention_factor(), yarn_mscale(40.0, 0.707) / yarn_mscale(40.0, 1.0), 1e-6);
    float cos[4], sin[4];
    table.cos_sin(0, cos, sin);
    EXPECT_NEAR(cos[0], table.attention_factor(), 1e-7);
    EXPECT_EQ(sin[0], 0.0f);
}

}  // namespace
}  // namespace whale
