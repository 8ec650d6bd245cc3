// SIMD kernels against their scalar twins, on odd sizes and tails. The AVX-512 ones run twice:
// natively where the CPU has the features, and as the SIMDe-emulated build on every AVX2 machine.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "whale/core/cpu_features.h"
#include "whale/core/dtype.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/precision.h"
#include "whale/kernels/x86_avx512/emulated.h"

namespace whale {
namespace {

std::vector<float> random_vector(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist;
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = dist(rng);
    return v;
}

TEST(DotTest, Avx2MatchesScalar) {
    if (!cpu_features().avx2 || !cpu_features().fma) GTEST_SKIP() << "no AVX2+FMA on this CPU";
    for (int64_t n : {0, 1, 7, 8, 9, 31, 32, 33, 100, 127, 1000, 4099}) {
        auto a = random_vector(n, 1), b = random_vector(n, 2);
        float scale = 0.0f;
        for (int64_t i = 0; i < n; ++i) scale += std::fabs(a[size_t(i)] * b[size_t(i)]);
        EXPECT_NEAR(dot_f32_avx2(a.data(), b.data(), n), dot_f32_scalar(a.data(), b.data(), n), 1e-6f * (scale + 1))
            << "n=" << n;
    }
}

TEST(DotTest, AxpyAvx2MatchesScalarAndLeavesGuardsAlone) {
    if (!cpu_features().avx2 || !cpu_features().fma) GTEST_SKIP() << "no AVX2+FMA on this CPU";
    for (int64_t n : {1, 5, 8, 13, 64, 257}) {
        auto x = random_vector(n, 3);
        auto y1 = random_vector(n + 2, 4);  // one guard element on each side
        auto y2 = y1;
        axpy_f32_avx2(y1.data() + 1, 0.75f, x.data(), n);
        axpy_f32_scalar(y2.data() + 1, 0.75f, x.data(), n);
        for (int64_t i = 0; i < n + 2; ++i) EXPECT_NEAR(y1[size_t(i)], y2[size_t(i)], 1e-6f) << i;
        EXPECT_EQ(y1.front(), y2.front());
        EXPECT_EQ(y1.back(), y2.back());
    }
}

TEST(DotTest, AxpyRowsAvx2MatchesScalarAndLeavesGuardsAlone) {
    if (!cpu_features().avx2 || !cpu_features().fma) GTEST_SKIP() << "no AVX2+FMA on this CPU";
    for (int64_t n : {1, 7, 8, 31, 33, 64, 100, 512}) {
        for (int64_t n_rows : {0, 1, 3, 32}) {
            auto alpha = random_vector(n_rows, 5), data = random_vector(n_rows * n, 6);
            std::vector<const float*> rows;
            for (int64_t j = 0; j < n_rows; ++j) rows.push_back(data.data() + j * n);
            auto y1 = random_vector(n + 2, 7);  // one guard element on each side
            auto y2 = y1;
            axpy_rows_f32_avx2(y1.data() + 1, alpha.data(), rows.data(), n_rows, n);
            axpy_rows_f32_scalar(y2.data() + 1, alpha.data(), rows.data(), n_rows, n);
            for (int64_t i = 0; i < n + 2; ++i)
                EXPECT_NEAR(y1[size_t(i)], y2[size_t(i)], 1e-5f * float(n_rows + 1)) << "n=" << n << " rows=" << n_rows;
            EXPECT_EQ(y1.front(), y2.front());
            EXPECT_EQ(y1.back(), y2.back());
        }
    }
}

using DotManyF32Fn = void (*)(float*, int64_t, const float*, int64_t, int64_t, const float* const*, int64_t, int64_t);

void expect_dot_many_matches_scalar(DotManyF32Fn dot_many) {
    const float guard = 777.0f;
    for (int64_t n : {1, 7, 8, 15, 16, 17, 33, 64, 100, 512}) {
        for (int64_t n_queries : {1, 3, 4, 5, 16}) {
            for (int64_t n_rows : {1, 2, 3, 4, 5, 32}) {
                const int64_t query_stride = n + 3, out_stride = n_rows + 1;  // strided queries, padded output
                auto queries = random_vector(n_queries * query_stride, 8), data = random_vector(n_rows * n, 9);
                std::vector<const float*> rows;
                for (int64_t j = 0; j < n_rows; ++j) rows.push_back(data.data() + j * n);
                std::vector<float> simd(static_cast<size_t>(n_queries * out_stride), guard), scalar = simd;
                dot_many(simd.data(), out_stride, queries.data(), query_stride, n_queries, rows.data(), n_rows, n);
                dot_many_f32_scalar(scalar.data(), out_stride, queries.data(), query_stride, n_queries, rows.data(), n_rows, n);
                for (int64_t q = 0; q < n_queries; ++q) {
                    for (int64_t j = 0; j < n_rows; ++j) {
                        float scale = 0.0f;
                        for (int64_t i = 0; i < n; ++i)
                            scale += std::fabs(queries[size_t(q * query_stride + i)] * data[size_t(j * n + i)]);
                        EXPECT_NEAR(simd[size_t(q * out_stride + j)], scalar[size_t(q * out_stride + j)], 1e-6f * (scale + 1))
                            << "n=" << n << " queries=" << n_queries << " rows=" << n_rows;
                    }
                    EXPECT_EQ(simd[size_t(q * out_stride + n_rows)], guard);
                }
            }
        }
    }
}

TEST(DotTest, DotManyAvx2MatchesScalarAndLeavesGuardsAlone) {
    if (!cpu_features().avx2 || !cpu_features().fma) GTEST_SKIP() << "no AVX2+FMA on this CPU";
    expect_dot_many_matches_scalar(dot_many_f32_avx2);
}

TEST(DotTest, DotManyAvx512MatchesScalarAndLeavesGuardsAlone) {
    const CpuFeatures& f = cpu_features();
    if (!(f.avx2 && f.fma && f.avx512f)) GTEST_SKIP() << "no AVX-512F: native kernel not run (the emulated test was)";
    expect_dot_many_matches_scalar(dot_many_f32_avx512);
}

TEST(DotTest, DotManyAvx512EmulatedMatchesScalarAndLeavesGuardsAlone) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "no AVX2+FMA+F16C on this CPU";
    expect_dot_many_matches_scalar(dot_many_f32_avx512_emulated);
}

// ---- bf16 ------------------------------------------------------------------------------------------

using RoundToBf16Fn = void (*)(uint16_t*, const float*, int64_t);

// Ties to even in both directions, NaN, infinities, zeros, denormals and the largest finite value
// (which rounds to infinity), followed by Gaussian values; every length leaves a different tail.
void expect_round_to_bf16_bit_identical(RoundToBf16Fn round) {
    std::vector<float> x = random_vector(300, 30);
    const uint32_t specials[] = {0x3f808000u, 0x3f818000u, 0xbf808000u, 0x3f808001u, 0x7fc00001u, 0xff800001u,
                                 0x7f800000u, 0xff800000u, 0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu,
                                 0x7f7fffffu, 0x00ff8000u};
    for (size_t i = 0; i < std::size(specials); ++i) x[i * 3] = f32_from_bits(specials[i]);
    for (int64_t n : {0, 1, 31, 32, 33, 64, 95, 300}) {
        std::vector<uint16_t> want(size_t(n) + 1, 0xabcd), got = want;  // one guard after the end
        round_to_bf16_scalar(want.data(), x.data(), n);
        round(got.data(), x.data(), n);
        EXPECT_EQ(want, got) << "n=" << n;
        EXPECT_EQ(got.back(), 0xabcd);
    }
}

TEST(Bf16Test, RoundToBf16Avx512IsBitIdentical) {
    const CpuFeatures& f = cpu_features();
    if (!(f.avx2 && f.fma && f.avx512f && f.avx512bw)) GTEST_SKIP() << "no AVX-512F+BW: native kernel not run (the emulated test was)";
    expect_round_to_bf16_bit_identical(round_to_bf16_avx512);
}

TEST(Bf16Test, RoundToBf16Avx512EmulatedIsBitIdentical) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "no AVX2+FMA+F16C on this CPU";
    expect_round_to_bf16_bit_identical(round_to_bf16_avx512_emulated);
}

std::vector<uint16_t> random_bf16(int64_t n, uint32_t seed) {
    const std::vector<float> x = random_vector(n, seed);
    std::vector<uint16_t> out(static_cast<size_t>(n));
    round_to_bf16_scalar(out.data(), x.data(), n);
    return out;
}

using DotManyBf16Fn = void (*)(float*, int64_t, const uint16_t*, int64_t, int64_t, const uint16_t* const*, int64_t,
                               int64_t);

// Σ|q·r| over a pair, what the tolerances are relative to.
float abs_dot_bf16(const uint16_t* q, const uint16_t* r, int64_t n) {
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += std::fabs(bf16_to_f32(q[i]) * bf16_to_f32(r[i]));
    return sum;
}

// All (query, row) pairs of odd tiles and tails against the scalar twin: bit for bit, or within
// `tolerance` · Σ|q·r| when nonzero. A few denormal and tiny values check denormals-are-zero.
void expect_dot_many_bf16_matches_scalar(DotManyBf16Fn dot_many, float tolerance) {
    const float guard = 777.0f;
    for (int64_t n : {1, 2, 31, 32, 33, 63, 64, 100, 515}) {
        for (int64_t n_queries : {1, 3, 4, 5}) {
            for (int64_t n_rows : {1, 3, 4, 5, 9}) {
                const int64_t query_stride = n + 3, out_stride = n_rows + 1;
                std::vector<uint16_t> queries = random_bf16(n_queries * query_stride, 10);
                std::vector<uint16_t> data = random_bf16(n_rows * n, 11);
                data[0] = 0x0001;       // smallest positive denormal
                queries[n / 2] = 0x8040;  // a negative denormal
                data[size_t(n * n_rows - 1)] = 0x0080;  // smallest normal: tiny products that underflow
                std::vector<const uint16_t*> rows;
                for (int64_t j = 0; j < n_rows; ++j) rows.push_back(data.data() + j * n);
                std::vector<float> simd(static_cast<size_t>(n_queries * out_stride), guard), scalar = simd;
                dot_many(simd.data(), out_stride, queries.data(), query_stride, n_queries, rows.data(), n_rows, n);
                dot_many_bf16_scalar(scalar.data(), out_stride, queries.data(), query_stride, n_queries, rows.data(),
                                     n_rows, n);
                for (int64_t q = 0; q < n_queries; ++q) {
                    for (int64_t j = 0; j < n_rows; ++j) {
                        const float got = simd[size_t(q * out_stride + j)], want = scalar[size_t(q * out_stride + j)];
                        ASSERT_TRUE(std::isfinite(got));
                        if (tolerance == 0.0f)
                            EXPECT_EQ(bits_from_f32(got), bits_from_f32(want))
                                << got << " vs " << want << " n=" << n << " queries=" << n_queries << " rows=" << n_rows
                                << " q=" << q << " j=" << j;
                        else
                            EXPECT_NEAR(got, want, tolerance * abs_dot_bf16(queries.data() + q * query_stride, rows[size_t(j)], n))
                                << "n=" << n << " queries=" << n_queries << " rows=" << n_rows;
                    }
                    EXPECT_EQ(simd[size_t(q * out_stride + n_rows)], guard);
                }
            }
        }
    }
}

// Intel specifies VDPBF16PS step by step and the scalar twin follows it; on hardware the check
// allows a few f32 roundings (2^-20 of Σ|q·r|) in case another vendor's core (Zen 4) orders the
// two products differently, which no document here rules out and no machine here can show.
TEST(Bf16Test, DotManyAvx512Bf16MatchesScalarTwin) {
    if (!dot_many_bf16_is_native()) GTEST_SKIP() << "no AVX-512 BF16: native kernel not run (the emulated test was)";
    expect_dot_many_bf16_matches_scalar(dot_many_bf16_avx512_bf16, 1.0f / (1 << 20));
}

TEST(Bf16Test, DotManyAvx512Bf16EmulatedIsBitIdenticalToScalarTwin) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "no AVX2+FMA+F16C on this CPU";
    expect_dot_many_bf16_matches_scalar(dot_many_bf16_avx512_bf16_emulated, 0.0f);
}

// The bf16 path against the f32 one it replaces. Weights are exact bf16 in both; rounding the
// activations to bf16 moves each by at most 2^-9 of itself, so a sum by at most 2^-9 of Σ|x·w|,
// plus the f32 summation differences of the two orders (bounded here by 1e-5 of Σ|x·w|).
constexpr float bf16_activation_tolerance = 1.0f / 512 + 1e-5f;

TEST(Bf16Test, DotManyBf16ScalarMatchesF32ReferenceWithinActivationRounding) {
    const int64_t n = 515, n_queries = 3, n_rows = 5;
    const std::vector<float> x = random_vector(n_queries * n, 12);
    const std::vector<uint16_t> wb = random_bf16(n_rows * n, 13);
    std::vector<uint16_t> xb(x.size());
    round_to_bf16_scalar(xb.data(), x.data(), int64_t(x.size()));
    std::vector<float> wf(wb.size());
    for (size_t i = 0; i < wb.size(); ++i) wf[i] = bf16_to_f32(wb[i]);
    std::vector<const uint16_t*> rows_b;
    std::vector<const float*> rows_f;
    for (int64_t j = 0; j < n_rows; ++j) {
        rows_b.push_back(wb.data() + j * n);
        rows_f.push_back(wf.data() + j * n);
    }
    std::vector<float> got(size_t(n_queries * n_rows)), want = got;
    dot_many_bf16_scalar(got.data(), n_rows, xb.data(), n, n_queries, rows_b.data(), n_rows, n);
    dot_many_f32_scalar(want.data(), n_rows, x.data(), n, n_queries, rows_f.data(), n_rows, n);
    for (int64_t q = 0; q < n_queries; ++q)
        for (int64_t j = 0; j < n_rows; ++j) {
            float scale = 0.0f;
            for (int64_t i = 0; i < n; ++i) scale += std::fabs(x[size_t(q * n + i)] * wf[size_t(j * n + i)]);
            EXPECT_NEAR(got[size_t(q * n_rows + j)], want[size_t(q * n_rows + j)], bf16_activation_tolerance * scale);
        }
}

// matmul with bf16 weights (the AVX-512 BF16 path where native, the f32 path elsewhere) against
// f32 weights holding the same values, over several tasks and token passes; matvec_rows agrees.
TEST(Bf16Test, MatmulBf16MatchesF32WeightsWithinActivationRounding) {
    const int64_t rows = 131, cols = 97, n_tokens = 70;
    const std::vector<uint16_t> wb = random_bf16(rows * cols, 14);
    std::vector<float> wf(wb.size());
    for (size_t i = 0; i < wb.size(); ++i) wf[i] = bf16_to_f32(wb[i]);
    const std::vector<float> x = random_vector(n_tokens * cols, 15);
    const WeightMatrix w_bf16{DType::DType_bf16, rows, cols, wb.data()}, w_f32{DType::DType_f32, rows, cols, wf.data()};
    ThreadPool pool(2);
    std::vector<float> got(size_t(n_tokens * rows)), want = got;
    matmul(want.data(), x.data(), n_tokens, w_f32, pool);
    // By default bf16 weights are widened and multiplied in f32: exactly the f32 weights' result.
    matmul(got.data(), x.data(), n_tokens, w_bf16, pool);
    EXPECT_EQ(got, want);
    // Allowed bf16 activations (VDPBF16PS where the CPU has it): within the activation rounding.
    set_bf16_activations(true);
    matmul(got.data(), x.data(), n_tokens, w_bf16, pool);
    for (int64_t t = 0; t < n_tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            float scale = 0.0f;
            for (int64_t i = 0; i < cols; ++i) scale += std::fabs(x[size_t(t * cols + i)] * wf[size_t(r * cols + i)]);
            EXPECT_NEAR(got[size_t(t * rows + r)], want[size_t(t * rows + r)], bf16_activation_tolerance * scale)
                << "t=" << t << " r=" << r;
        }
    std::vector<float> one(rows);
    std::vector<float> scratch(static_cast<size_t>(matvec_scratch_floats(w_bf16)));
    matvec_rows(one.data(), x.data() + (n_tokens - 1) * cols, w_bf16, 0, rows, scratch.data());
    for (int64_t r = 0; r < rows; ++r) EXPECT_EQ(one[size_t(r)], got[size_t((n_tokens - 1) * rows + r)]) << "r=" << r;
    set_bf16_activations(false);
}

}  // namespace
}  // namespace whale
