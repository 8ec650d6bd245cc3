// The Q8_0 tile kernels (AVX2, AVX-512 VNNI native and emulated) against the scalar twin on odd
// row/token counts and block counts (every micro-tile tail), with guard values around the output;
// the Q8_0 × f32 dot against its scalar twin; and matmul_batch against separate matmuls (shared
// activations, mixed dtypes, empty jobs).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "whale/core/cpu_features.h"
#include "whale/core/dtype.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/kernels/quant/tile_dot.h"
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/x86_avx512/emulated.h"

namespace whale {
namespace {

std::vector<float> gaussian(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = dist(rng);
    return v;
}

std::vector<BlockQ8_0> quantized(int64_t rows, int64_t cols, uint32_t seed) {
    const std::vector<float> x = gaussian(rows * cols, seed);
    std::vector<BlockQ8_0> out(static_cast<size_t>(rows * cols / QK8_0));
    for (int64_t r = 0; r < rows; ++r) quantize_row_q8_0(&out[size_t(r * cols / QK8_0)], &x[size_t(r * cols)], cols);
    return out;
}

TEST(TileDot, Avx2MatchesScalarOnTails) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    const float guard = 12345.0f;
    for (int64_t blocks : {1, 3, 7, 64}) {
        for (int64_t rows : {1, 2, 3, 4, 5, 7, 9}) {
            for (int64_t tokens : {1, 2, 3, 5}) {
                const int64_t n = blocks * QK8_0, stride = rows + 2;  // y rows padded with guards
                const std::vector<BlockQ8_0> w = quantized(rows, n, uint32_t(rows * 7 + blocks));
                const std::vector<BlockQ8_0> a = quantized(tokens, n, uint32_t(tokens * 13 + blocks));
                std::vector<float> simd(static_cast<size_t>(tokens * stride), guard), scalar = simd;
                tile_dot_q8_0_avx2(simd.data(), stride, w.data(), rows, a.data(), tokens, n);
                tile_dot_q8_0_scalar(scalar.data(), stride, w.data(), rows, a.data(), tokens, n);
                for (int64_t t = 0; t < tokens; ++t) {
                    for (int64_t r = 0; r < rows; ++r) {
                        const float want = scalar[size_t(t * stride + r)], got = simd[size_t(t * stride + r)];
                        ASSERT_TRUE(std::isfinite(got));
                        // Integer block sums are exact; only the order of the float block terms differs.
                        EXPECT_NEAR(got, want, 1e-5f * (std::fabs(want) + 1.0f) * float(blocks))
                            << "blocks=" << blocks << " rows=" << rows << " tokens=" << tokens << " r=" << r << " t=" << t;
                    }
                    EXPECT_EQ(simd[size_t(t * stride + rows)], guard);
                    EXPECT_EQ(simd[size_t(t * stride + rows + 1)], guard);
                }
            }
        }
    }
}

using TileDotFn = void (*)(float*, int64_t, const BlockQ8_0*, int64_t, const BlockQ8_0*, int64_t, int64_t);

// The VNNI kernel sums the same int32 lanes and float terms in the same order as the AVX2 one:
// bit-identical to it, and within the AVX2 tolerance of the scalar twin.
void expect_vnni_tile_matches_avx2_and_scalar(TileDotFn vnni_tile) {
    for (int64_t blocks : {1, 3, 44, 64}) {
        for (int64_t rows : {1, 2, 3, 5}) {
            for (int64_t tokens : {1, 2, 3, 4, 7}) {
                const int64_t n = blocks * QK8_0;
                const std::vector<BlockQ8_0> w = quantized(rows, n, uint32_t(rows * 5 + blocks));
                const std::vector<BlockQ8_0> a = quantized(tokens, n, uint32_t(tokens * 11 + blocks));
                std::vector<float> vnni(static_cast<size_t>(tokens * rows)), avx2 = vnni, scalar = vnni;
                vnni_tile(vnni.data(), rows, w.data(), rows, a.data(), tokens, n);
                tile_dot_q8_0_avx2(avx2.data(), rows, w.data(), rows, a.data(), tokens, n);
                tile_dot_q8_0_scalar(scalar.data(), rows, w.data(), rows, a.data(), tokens, n);
                EXPECT_EQ(vnni, avx2) << "blocks=" << blocks << " rows=" << rows << " tokens=" << tokens;
                for (size_t i = 0; i < vnni.size(); ++i)
                    EXPECT_NEAR(vnni[i], scalar[i], 1e-5f * (std::fabs(scalar[i]) + 1.0f) * float(blocks));
            }
        }
    }
}

TEST(TileDot, Avx512VnniMatchesAvx2BitForBitAndScalar) {
    const CpuFeatures& f = cpu_features();
    if (!(f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512vl && f.avx512_vnni))
        GTEST_SKIP() << "CPU has no AVX-512 F+VL+VNNI: the native VNNI tile kernel was not run (the emulated test was)";
    expect_vnni_tile_matches_avx2_and_scalar(tile_dot_q8_0_avx512_vnni);
}

// The same source on SIMDe: runs on every AVX2 machine.
TEST(TileDot, Avx512VnniEmulatedMatchesAvx2BitForBitAndScalar) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    expect_vnni_tile_matches_avx2_and_scalar(tile_dot_q8_0_avx512_vnni_emulated);
}

// A (row, token) result must not depend on which micro-tile computed it: the single-token path
// (decode) and the two-token tiles (prefill) give the same bits.
TEST(TileDot, ResultIndependentOfTiling) {
    const int64_t rows = 7, tokens = 5, n = 5 * QK8_0;
    const std::vector<BlockQ8_0> w = quantized(rows, n, 1), a = quantized(tokens, n, 2);
    std::vector<float> all(static_cast<size_t>(tokens * rows));
    tile_dot_q8_0(all.data(), rows, w.data(), rows, a.data(), tokens, n);
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            float one;
            tile_dot_q8_0(&one, 1, &w[size_t(r * n / QK8_0)], 1, &a[size_t(t * n / QK8_0)], 1, n);
            EXPECT_EQ(one, all[size_t(t * rows + r)]) << "r=" << r << " t=" << t;
        }
}

TEST(VecDotQ8_0F32, Avx2MatchesScalar) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    for (int64_t blocks : {1, 2, 3, 4, 16, 17}) {
        const int64_t n = blocks * QK8_0;
        const std::vector<BlockQ8_0> w = quantized(1, n, uint32_t(blocks));
        const std::vector<float> x = gaussian(n, uint32_t(100 + blocks));
        const float scalar = vec_dot_q8_0_f32_scalar(w.data(), x.data(), n);
        float scale = 0;  // Σ|w·x|, what the float rounding is relative to
        for (int64_t i = 0; i < n; ++i)
            scale += std::fabs(f16_to_f32(w[size_t(i / QK8_0)].d) * float(w[size_t(i / QK8_0)].qs[i % QK8_0]) * x[size_t(i)]);
        EXPECT_NEAR(vec_dot_q8_0_f32_avx2(w.data(), x.data(), n), scalar, 1e-6f * scale + 1e-7f) << "blocks=" << blocks;
    }
}

// The activation quantiser's AVX2 twin writes the same bytes as the reference, including
// round-half-away-from-zero ties (x = k + 0.5 with amax 127 makes d = 1), zeros and tiny values.
TEST(QuantizeQ8_0, Avx2TwinIsBitIdentical) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    const int64_t n = 64 * QK8_0;
    std::vector<float> x = gaussian(n, 21);
    for (int64_t i = 0; i < QK8_0; ++i) x[size_t(i)] = float(i % 2 ? -1 : 1) * (float(i) + 0.5f);  // ties
    x[0] = 127.0f;
    for (int64_t i = QK8_0; i < 2 * QK8_0; ++i) x[size_t(i)] = 0.0f;                          // all-zero block
    for (int64_t i = 2 * QK8_0; i < 3 * QK8_0; ++i) x[size_t(i)] *= 1e-30f;                  // subnormal-ish scale
    std::vector<BlockQ8_0> want(static_cast<size_t>(n / QK8_0)), got(want.size());
    quantize_row_q8_0(want.data(), x.data(), n);
    quantize_row_q8_0_avx2(got.data(), x.data(), n);
    for (size_t b = 0; b < want.size(); ++b) {
        EXPECT_EQ(want[b].d, got[b].d) << "block " << b;
        for (int j = 0; j < QK8_0; ++j) EXPECT_EQ(want[b].qs[j], got[b].qs[j]) << "block " << b << " value " << j;
    }
}

TEST(MatmulBatch, EqualsSeparateMatmuls) {
    const int64_t cols = 3 * QK8_0;
    const std::vector<BlockQ8_0> q_a = quantized(67, cols, 3), q_b = quantized(130, cols, 4);
    const std::vector<float> f = gaussian(9 * cols, 5);
    const WeightMatrix wa{DType::DType_q8_0, 67, cols, q_a.data()}, wb{DType::DType_q8_0, 130, cols, q_b.data()};
    const WeightMatrix wf{DType::DType_f32, 9, cols, f.data()};
    const std::vector<float> x1 = gaussian(3 * cols, 6), x2 = gaussian(cols, 7);
    ThreadPool pool(3);
    // wa and wb share x1 (one quantised copy); wa again with x2; an f32 job; an empty job.
    std::vector<float> y1(3 * 67), y2(3 * 130), y3(67), y4(3 * 9);
    const MatmulJob jobs[] = {{y1.data(), x1.data(), 3, &wa}, {y2.data(), x1.data(), 3, &wb},
                              {y3.data(), x2.data(), 1, &wa}, {nullptr, x2.data(), 0, &wb},
                              {y4.data(), x1.data(), 3, &wf}};
    matmul_batch(jobs, 5, pool);
    const std::pair<const std::vector<float>*, MatmulJob> checks[] = {
        {&y1, jobs[0]}, {&y2, jobs[1]}, {&y3, jobs[2]}, {&y4, jobs[4]}};
    for (const auto& [got, job] : checks) {
        std::vector<float> want(got->size());
        matmul(want.data(), job.x, job.n_tokens, *job.w, pool);
        EXPECT_EQ(want, *got) << "rows=" << job.w->rows;
    }
}

}  // namespace
}  // namespace whale
