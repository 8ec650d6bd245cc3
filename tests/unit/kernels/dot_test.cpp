// SIMD kernels against their scalar twins, on odd sizes and tails.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "whale/core/cpu_features.h"
#include "whale/kernels/dot.h"

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

TEST(DotTest, DotManyAvx2MatchesScalarAndLeavesGuardsAlone) {
    if (!cpu_features().avx2 || !cpu_features().fma) GTEST_SKIP() << "no AVX2+FMA on this CPU";
    const float guard = 777.0f;
    for (int64_t n : {1, 7, 8, 15, 64, 100, 512}) {
        for (int64_t n_queries : {1, 3, 4, 5, 16}) {
            for (int64_t n_rows : {1, 2, 3, 32}) {
                const int64_t query_stride = n + 3, out_stride = n_rows + 1;  // strided queries, padded output
                auto queries = random_vector(n_queries * query_stride, 8), data = random_vector(n_rows * n, 9);
                std::vector<const float*> rows;
                for (int64_t j = 0; j < n_rows; ++j) rows.push_back(data.data() + j * n);
                std::vector<float> simd(static_cast<size_t>(n_queries * out_stride), guard), scalar = simd;
                dot_many_f32_avx2(simd.data(), out_stride, queries.data(), query_stride, n_queries, rows.data(), n_rows, n);
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

}  // namespace
}  // namespace whale
