// The interleaved Q8_0 layout: packing keeps every value and scale; the AVX2 and AVX-512 VNNI
// kernels are bit-identical to their scalar twin on every token-count tail and block count, with guards around the output; the
// twin agrees with the plain Q8_0 dot product up to float summation order; and matmul on a weight
// with an interleaved copy (row counts that leave a plain tail, several tasks, slices) matches
// the plain path and the twin.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "whale/core/cpu_features.h"
#include "whale/core/dtype.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/quant/dequantize.h"
#include "whale/kernels/quant/q8_0_x8.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/x86_avx512/emulated.h"

namespace whale {
namespace {

std::vector<BlockQ8_0> quantized(int64_t rows, int64_t cols, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(rows * cols));
    for (float& v : x) v = dist(rng);
    std::vector<BlockQ8_0> out(static_cast<size_t>(rows * cols / QK8_0));
    for (int64_t r = 0; r < rows; ++r) quantize_row_q8_0(&out[size_t(r * cols / QK8_0)], &x[size_t(r * cols)], cols);
    return out;
}

std::vector<BlockQ8_0x8> packed(const std::vector<BlockQ8_0>& w, int64_t rows, int64_t cols) {
    std::vector<BlockQ8_0x8> out(q8_0_x8_bytes(rows, cols) / sizeof(BlockQ8_0x8));
    pack_q8_0_x8(out.data(), w.data(), rows, cols);
    return out;
}

TEST(Q8_0x8, PackingKeepsEveryValueAndScale) {
    const int64_t rows = 19, cols = 3 * QK8_0, nb = cols / QK8_0;
    const std::vector<BlockQ8_0> w = quantized(rows, cols, 1);
    const std::vector<BlockQ8_0x8> p = packed(w, rows, cols);
    ASSERT_EQ(p.size(), size_t(2 * nb));  // 2 groups; rows 16..18 stay plain
    for (int64_t r = 0; r < 16; ++r)
        for (int64_t b = 0; b < nb; ++b) {
            const BlockQ8_0& plain = w[size_t(r * nb + b)];
            const BlockQ8_0x8& group = p[size_t(r / 8 * nb + b)];
            EXPECT_EQ(group.d[r % 8], plain.d);
            for (int64_t j = 0; j < QK8_0; ++j)
                EXPECT_EQ(group.qs[32 * (j / 4) + 4 * (r % 8) + j % 4], plain.qs[j]) << "r=" << r << " b=" << b;
        }
}

TEST(Q8_0x8, Avx2IsBitIdenticalToScalarOnTails) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    const float guard = 12345.0f;
    for (int64_t blocks : {1, 3, 7, 64}) {
        for (int64_t groups : {1, 2, 3}) {
            for (int64_t tokens : {1, 2, 3, 4, 5, 6, 7, 9}) {
                const int64_t n = blocks * QK8_0, rows = 8 * groups, stride = rows + 2;
                const std::vector<BlockQ8_0> w = quantized(rows, n, uint32_t(groups * 7 + blocks));
                const std::vector<BlockQ8_0> a = quantized(tokens, n, uint32_t(tokens * 13 + blocks));
                const std::vector<BlockQ8_0x8> p = packed(w, rows, n);
                std::vector<float> simd(static_cast<size_t>(tokens * stride), guard), scalar = simd;
                tile_dot_q8_0_x8_avx2(simd.data(), stride, p.data(), groups, a.data(), tokens, n);
                tile_dot_q8_0_x8_scalar(scalar.data(), stride, p.data(), groups, a.data(), tokens, n);
                EXPECT_EQ(simd, scalar) << "blocks=" << blocks << " groups=" << groups << " tokens=" << tokens;
                for (int64_t t = 0; t < tokens; ++t) {
                    EXPECT_EQ(simd[size_t(t * stride + rows)], guard);
                    EXPECT_EQ(simd[size_t(t * stride + rows + 1)], guard);
                }
            }
        }
    }
}

// The AVX-512 VNNI variant, natively where the CPU has it and always through SIMDe (the same
// source compiled against portable intrinsics, kernels/x86_avx512/intrinsics.h): bit-identical to
// the scalar twin on every tail of its 8-token tiles.
using X8Kernel = void (*)(float*, int64_t, const BlockQ8_0x8*, int64_t, const BlockQ8_0*, int64_t, int64_t);

void expect_bit_identical_to_scalar(X8Kernel kernel) {
    const float guard = -777.0f;
    for (int64_t blocks : {1, 5, 64}) {
        for (int64_t groups : {1, 2}) {
            for (int64_t tokens = 1; tokens <= 17; ++tokens) {
                const int64_t n = blocks * QK8_0, rows = 8 * groups, stride = rows + 1;
                const std::vector<BlockQ8_0> w = quantized(rows, n, uint32_t(groups * 3 + blocks));
                const std::vector<BlockQ8_0> a = quantized(tokens, n, uint32_t(tokens * 17 + blocks));
                const std::vector<BlockQ8_0x8> p = packed(w, rows, n);
                std::vector<float> got(static_cast<size_t>(tokens * stride), guard), want = got;
                kernel(got.data(), stride, p.data(), groups, a.data(), tokens, n);
                tile_dot_q8_0_x8_scalar(want.data(), stride, p.data(), groups, a.data(), tokens, n);
                EXPECT_EQ(got, want) << "blocks=" << blocks << " groups=" << groups << " tokens=" << tokens;
            }
        }
    }
}

TEST(Q8_0x8, Avx512VnniEmulatedIsBitIdenticalToScalar) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    expect_bit_identical_to_scalar(tile_dot_q8_0_x8_avx512_vnni_emulated);
}

TEST(Q8_0x8, Avx512VnniIsBitIdenticalToScalar) {
    const CpuFeatures& f = cpu_features();
    if (!(f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512vl && f.avx512_vnni))
        GTEST_SKIP() << "CPU has no AVX-512 F+VL+VNNI: only the SIMDe-emulated build of this kernel ran";
    expect_bit_identical_to_scalar(tile_dot_q8_0_x8_avx512_vnni);
}

// The twin is an independent spelling of the Q8_0 dot product: it must agree with the plain
// reference (vec_dot_q8_0_q8_0_scalar) up to the order of the float block terms.
TEST(Q8_0x8, ScalarTwinAgreesWithPlainDot) {
    const int64_t rows = 16, tokens = 3, blocks = 44, n = blocks * QK8_0, nb = blocks;
    const std::vector<BlockQ8_0> w = quantized(rows, n, 5), a = quantized(tokens, n, 6);
    const std::vector<BlockQ8_0x8> p = packed(w, rows, n);
    std::vector<float> y(static_cast<size_t>(tokens * rows));
    tile_dot_q8_0_x8_scalar(y.data(), rows, p.data(), rows / 8, a.data(), tokens, n);
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            const float want = vec_dot_q8_0_q8_0_scalar(&w[size_t(r * nb)], &a[size_t(t * nb)], n);
            EXPECT_NEAR(y[size_t(t * rows + r)], want, 1e-5f * (std::fabs(want) + 1.0f) * float(blocks));
        }
}

// 203 rows: three matmul tasks of 64 rows, then 11 rows of which 8 come from the interleaved copy
// and 3 from the plain tail; a slice starting at row 64 keeps its copy, one at row 3 drops it.
TEST(Q8_0x8, MatmulUsesInterleavedCopyAndPlainTail) {
    const int64_t rows = 203, cols = 5 * QK8_0, tokens = 6, nb = cols / QK8_0;
    const std::vector<BlockQ8_0> q = quantized(rows, cols, 8);
    const std::vector<BlockQ8_0x8> p = packed(q, rows, cols);
    std::mt19937 rng(9);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(tokens * cols));
    for (float& v : x) v = dist(rng);
    std::vector<BlockQ8_0> a(static_cast<size_t>(tokens * nb));
    for (int64_t t = 0; t < tokens; ++t) quantize_row_q8_0(&a[size_t(t * nb)], &x[size_t(t * cols)], cols);

    WeightMatrix plain{DType::DType_q8_0, rows, cols, q.data()};
    WeightMatrix interleaved = plain;
    interleaved.q8_0_x8 = p.data();
    ThreadPool pool(2);
    std::vector<float> y_plain(static_cast<size_t>(tokens * rows)), y_x8(y_plain.size());
    matmul(y_plain.data(), x.data(), tokens, plain, pool);
    matmul(y_x8.data(), x.data(), tokens, interleaved, pool);

    std::vector<float> twin(static_cast<size_t>(tokens * 200));
    tile_dot_q8_0_x8_scalar(twin.data(), 200, p.data(), 25, a.data(), tokens, cols);
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            const float got = y_x8[size_t(t * rows + r)], want = y_plain[size_t(t * rows + r)];
            EXPECT_NEAR(got, want, 1e-5f * (std::fabs(want) + 1.0f) * float(nb)) << "t=" << t << " r=" << r;
            if (r < 200)
                EXPECT_EQ(got, twin[size_t(t * 200 + r)]) << "t=" << t << " r=" << r;
            else
                EXPECT_EQ(got, want) << "tail row " << r << " comes from the plain rows";
        }

    const WeightMatrix aligned = weight_row_slice(interleaved, 64, 70), shifted = weight_row_slice(interleaved, 3, 70);
    ASSERT_EQ(aligned.q8_0_x8, p.data() + 8 * nb);
    EXPECT_EQ(shifted.q8_0_x8, nullptr);
    std::vector<float> y_slice(static_cast<size_t>(tokens * 70));
    matmul(y_slice.data(), x.data(), tokens, aligned, pool);
    // The slice's first 64 rows come from the same interleaved groups; its last 6 are its plain tail.
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t r = 0; r < 70; ++r) {
            const float got = y_slice[size_t(t * 70 + r)];
            if (r < 64)
                EXPECT_EQ(got, y_x8[size_t(t * rows + 64 + r)]) << "t=" << t << " r=" << r;
            else
                EXPECT_EQ(got, y_plain[size_t(t * rows + 64 + r)]) << "t=" << t << " r=" << r;
        }
}

}  // namespace
}  // namespace whale
