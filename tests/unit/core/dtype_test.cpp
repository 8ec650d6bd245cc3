// Scalar conversions of checkpoint element types, checked against their format definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "whale/core/dtype.h"

namespace whale {
namespace {

TEST(DTypeTest, NamesRoundTrip) {
    for (const char* name : {"F32", "F16", "BF16", "F8_E4M3", "F8_E8M0", "I64", "BOOL"}) {
        DType t;
        ASSERT_TRUE(dtype_from_safetensors_name(name, &t)) << name;
        EXPECT_EQ(dtype_name(t), name);
    }
    DType t;
    EXPECT_FALSE(dtype_from_safetensors_name("F4", &t));
    EXPECT_EQ(dtype_size(DType::DType_bf16), 2u);
    EXPECT_EQ(dtype_size(DType::DType_f8_e4m3), 1u);
}

TEST(DTypeTest, Bf16RoundsToNearestEven) {
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f)), 1.0f);
    // 1 + 2^-8 is exactly halfway between two bf16 values: ties go to the even mantissa (1.0).
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + 1.0f / 256.0f)), 1.0f);
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + 3.0f / 256.0f)), 1.0f + 4.0f / 256.0f);
    EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}

TEST(DTypeTest, F16EveryCodeRoundTrips) {
    for (uint32_t code = 0; code < 0x10000; ++code) {
        float v = f16_to_f32(uint16_t(code));
        if (std::isnan(v)) continue;
        EXPECT_EQ(f32_to_f16(v), code) << code;
    }
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(f16_to_f32(0xfbff), -65504.0f);
}

TEST(DTypeTest, E4m3MatchesFormatDefinition) {
    EXPECT_EQ(e4m3_to_f32(0x7e), 448.0f);   // S.1111.110 is the largest finite value
    EXPECT_EQ(e4m3_to_f32(0xfe), -448.0f);
    EXPECT_TRUE(std::isnan(e4m3_to_f32(0x7f)));
    EXPECT_EQ(e4m3_to_f32(0x38), 1.0f);     // exponent 7 = bias
    EXPECT_EQ(e4m3_to_f32(0x01), std::ldexp(1.0f, -9));  // smallest subnormal (1/8)·2^-6
    for (uint32_t code = 0; code < 256; ++code) {
        float v = e4m3_to_f32(uint8_t(code));
        if (std::isnan(v) || (v == 0.0f && code == 0x80)) continue;
        EXPECT_EQ(f32_to_e4m3(v), code) << code;
    }
    EXPECT_EQ(f32_to_e4m3(1000.0f), 0x7e);  // saturates
}

TEST(DTypeTest, E8m0IsPowerOfTwo) {
    EXPECT_EQ(e8m0_to_f32(127), 1.0f);
    EXPECT_EQ(e8m0_to_f32(130), 8.0f);
    EXPECT_EQ(e8m0_to_f32(120), 1.0f / 128.0f);
    EXPECT_TRUE(std::isnan(e8m0_to_f32(255)));
}

}  // namespace
}  // namespace whale
