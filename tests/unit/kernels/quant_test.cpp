// ggml block formats: dequantisers bit-exact against gguf-py goldens, the Q8_0 quantiser bit-exact,
// K-quant quantisers judged by NMSE on Gaussian data, every SIMD dot kernel against its scalar twin,
// and matmul on quantised weights against an f32 reference.
// Measured NMSE per type is stated beside each bound (nmse_cases, matmul_cases).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "whale/core/cpu_features.h"
#include "whale/core/error.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/quant/dequantize.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/x86_avx512/emulated.h"
#include "whale/kernels/weight_matrix.h"

namespace whale {
namespace {

std::vector<uint8_t> read_golden(const std::string& name) {
    const std::string path = std::string(WHALE_GOLDEN_DIR) + "/quant/" + name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing golden " << path << " (run scripts/make_quant_goldens.py)";
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<float> as_floats(const std::vector<uint8_t>& bytes) {
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

std::vector<float> gaussian(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

double nmse(const std::vector<float>& ref, const std::vector<float>& got) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        err += double(ref[i] - got[i]) * double(ref[i] - got[i]);
        norm += double(ref[i]) * double(ref[i]);
    }
    return err / norm;
}

// Compares float bit patterns, so -0.0 vs 0.0 or a NaN would show up too.
void expect_bits_equal(const std::vector<float>& want, const std::vector<float>& got, const char* what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    int mismatches = 0;
    for (size_t i = 0; i < want.size() && mismatches < 5; ++i) {
        if (bits_from_f32(want[i]) != bits_from_f32(got[i])) {
            ADD_FAILURE() << what << " value " << i << ": want " << want[i] << " got " << got[i];
            ++mismatches;
        }
    }
}

// The three weight types behind one interface, so tests can loop over them.
struct QuantType {
    DType dtype;
    int64_t block_elems;
    size_t block_bytes;
    void (*quantize)(void* out, const float* x, int64_t n);
    void (*dequantize)(float* out, const void* in, int64_t n);
    float (*dot_scalar)(const void* w, const void* a, int64_t n);
    float (*dot_avx2)(const void* w, const void* a, int64_t n);
};

const QuantType quant_types[] = {
    {DType::DType_q8_0, QK8_0, sizeof(BlockQ8_0),
     [](void* o, const float* x, int64_t n) { quantize_row_q8_0(static_cast<BlockQ8_0*>(o), x, n); },
     [](float* o, const void* b, int64_t n) { dequantize_row_q8_0(o, static_cast<const BlockQ8_0*>(b), n); },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q8_0_q8_0_scalar(static_cast<const BlockQ8_0*>(w), static_cast<const BlockQ8_0*>(a), n);
     },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q8_0_q8_0_avx2(static_cast<const BlockQ8_0*>(w), static_cast<const BlockQ8_0*>(a), n);
     }},
    {DType::DType_q4_k, QK_K, sizeof(BlockQ4_K),
     [](void* o, const float* x, int64_t n) { quantize_row_q4_k(static_cast<BlockQ4_K*>(o), x, n); },
     [](float* o, const void* b, int64_t n) { dequantize_row_q4_k(o, static_cast<const BlockQ4_K*>(b), n); },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q4_k_q8_k_scalar(static_cast<const BlockQ4_K*>(w), static_cast<const BlockQ8_K*>(a), n);
     },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q4_k_q8_k_avx2(static_cast<const BlockQ4_K*>(w), static_cast<const BlockQ8_K*>(a), n);
     }},
    {DType::DType_q6_k, QK_K, sizeof(BlockQ6_K),
     [](void* o, const float* x, int64_t n) { quantize_row_q6_k(static_cast<BlockQ6_K*>(o), x, n); },
     [](float* o, const void* b, int64_t n) { dequantize_row_q6_k(o, static_cast<const BlockQ6_K*>(b), n); },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q6_k_q8_k_scalar(static_cast<const BlockQ6_K*>(w), static_cast<const BlockQ8_K*>(a), n);
     },
     [](const void* w, const void* a, int64_t n) {
         return vec_dot_q6_k_q8_k_avx2(static_cast<const BlockQ6_K*>(w), static_cast<const BlockQ8_K*>(a), n);
     }},
};

std::string type_name(const QuantType& q) { return std::string(dtype_name(q.dtype)); }

// Raw bytes for a row of n values of q's type; float storage keeps every block type aligned.
std::vector<float> block_storage(const QuantType& q, int64_t n) {
    return std::vector<float>((size_t(dtype_row_bytes(q.dtype, n)) + 3) / 4);
}

// The activation blocks as f32: Q8_0 via its dequantiser, Q8_K as d * q.
std::vector<float> activation_values(DType weight_dtype, const void* blocks, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n), 0.0f);
    if (weight_dtype == DType::DType_q8_0) {
        dequantize_row_q8_0(out.data(), static_cast<const BlockQ8_0*>(blocks), n);
    } else {
        const BlockQ8_K* b = static_cast<const BlockQ8_K*>(blocks);
        for (int64_t i = 0; i < n; ++i) out[size_t(i)] = b[i / QK_K].d * float(b[i / QK_K].qs[i % QK_K]);
    }
    return out;
}

// ---- goldens from gguf-py -------------------------------------------------------------------

TEST(QuantGolden, DequantizeMatchesGgufPyBitForBit) {
    for (const QuantType& q : quant_types) {
        const std::string name = q.dtype == DType::DType_q8_0 ? "q8_0" : q.dtype == DType::DType_q4_k ? "q4_k" : "q6_k";
        const std::vector<uint8_t> blocks = read_golden(name + "_blocks.bin");
        const std::vector<float> want = as_floats(read_golden(name + "_dequant.f32"));
        ASSERT_EQ(blocks.size() / q.block_bytes * size_t(q.block_elems), want.size()) << name;
        std::vector<float> aligned((blocks.size() + 3) / 4);
        std::memcpy(aligned.data(), blocks.data(), blocks.size());
        std::vector<float> got(want.size());
        q.dequantize(got.data(), aligned.data(), int64_t(got.size()));
        expect_bits_equal(want, got, name.c_str());
    }
}

TEST(QuantGolden, QuantizeQ8_0MatchesGgufPyBitForBit) {
    const std::vector<float> x = as_floats(read_golden("q8_0_input.f32"));
    const std::vector<uint8_t> want = read_golden("q8_0_blocks.bin");
    std::vector<BlockQ8_0> got(x.size() / QK8_0);
    quantize_row_q8_0(got.data(), x.data(), int64_t(x.size()));
    ASSERT_EQ(want.size(), got.size() * sizeof(BlockQ8_0));
    EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size()));
}

// ---- quantisers ---------------------------------------------------------------------------------

// Round-trip NMSE = Σ(x - dequant(quant(x)))² / Σx² of the reference quantisers on N(0,1) data
// (64 super-blocks, seed 7); bounds leave ~20% headroom over the measured values. They sit where
// uniform rounding predicts: step²/12 with step ≈ amax/127 per 32 (Q8_0: ~2.7e-5), ≈ amax/32 per
// 16 (Q6_K: ~3e-4) and ≈ range/15 per 32 less the scale/min search's gain (Q4_K: ~5e-3).
struct NmseCase {
    DType dtype;
    double bound;
};
const NmseCase nmse_cases[] = {
    {DType::DType_q8_0, 3.5e-5},  // measured 2.84e-5
    {DType::DType_q6_k, 4.0e-4},  // measured 3.14e-4
    {DType::DType_q4_k, 6.0e-3},  // measured 5.05e-3
};

TEST(Quantize, RoundTripNmseOnGaussianData) {
    const int64_t n = 64 * QK_K;
    const std::vector<float> x = gaussian(size_t(n), 7);
    for (const NmseCase& c : nmse_cases) {
        const QuantType& q = *std::find_if(std::begin(quant_types), std::end(quant_types),
                                           [&](const QuantType& t) { return t.dtype == c.dtype; });
        std::vector<float> blocks = block_storage(q, n);
        q.quantize(blocks.data(), x.data(), n);
        std::vector<float> y(static_cast<size_t>(n));
        q.dequantize(y.data(), blocks.data(), n);
        const double e = nmse(x, y);
        std::printf("[ NMSE     ] %s round trip on N(0,1): %.3e (bound %.1e)\n", type_name(q).c_str(), e, c.bound);
        EXPECT_LT(e, c.bound) << type_name(q);
    }
}

TEST(Quantize, ZerosGiveZeroBlocks) {
    std::vector<float> x(QK_K, 0.0f);
    for (const QuantType& q : quant_types) {
        std::vector<float> blocks = block_storage(q, QK_K);
        q.quantize(blocks.data(), x.data(), QK_K);
        std::vector<float> y(QK_K, 1.0f);
        q.dequantize(y.data(), blocks.data(), QK_K);
        for (float v : y) ASSERT_EQ(v, 0.0f) << type_name(q);
    }
}

TEST(Quantize, Q8_KKeepsCodesWithinPlusMinus127AndBsums) {
    std::vector<float> x = gaussian(3 * QK_K, 11);
    x[5] = -40.0f;  // the largest magnitude is negative: it must map to -127, not -128
    std::vector<BlockQ8_K> blocks(3);
    quantize_row_q8_k(blocks.data(), x.data(), 3 * QK_K);
    EXPECT_EQ(blocks[0].qs[5], -127);
    for (const BlockQ8_K& b : blocks) {
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) {
                ASSERT_GE(b.qs[16 * g + l], -127);
                sum += b.qs[16 * g + l];
            }
            EXPECT_EQ(sum, b.bsums[g]);
        }
    }
}

// ---- dot kernels --------------------------------------------------------------------------------

// Weights to test kernels on: quantised Gaussians, or (raw = true) random bytes with sane fp16
// scales, which reach codes a quantiser never emits (Q8_0's -128, Q4_K's 6-bit extremes).
std::vector<float> test_weights(const QuantType& q, int64_t n, uint32_t seed, bool raw) {
    std::vector<float> blocks = block_storage(q, n);
    if (!raw) {
        const std::vector<float> x = gaussian(size_t(n), seed);
        q.quantize(blocks.data(), x.data(), n);
        return blocks;
    }
    std::mt19937 rng(seed);
    uint8_t* bytes = reinterpret_cast<uint8_t*>(blocks.data());
    for (int64_t b = 0; b < n / q.block_elems; ++b) {
        uint8_t* block = bytes + size_t(b) * q.block_bytes;
        for (size_t i = 0; i < q.block_bytes; ++i) block[i] = uint8_t(rng());
        const uint16_t scale = f32_to_f16(0.01f + float(rng() % 100) * 1e-4f);
        const size_t d_at = q.dtype == DType::DType_q6_k ? 208 : 0;
        std::memcpy(block + d_at, &scale, 2);
        if (q.dtype == DType::DType_q4_k) std::memcpy(block + 2, &scale, 2);
    }
    return blocks;
}

// Σ|w·a| over the dequantised operands: the scale that float rounding errors are measured against.
double abs_dot(const std::vector<float>& w, const std::vector<float>& a) {
    double s = 0;
    for (size_t i = 0; i < w.size(); ++i) s += std::fabs(double(w[i]) * double(a[i]));
    return s;
}

// Block counts: single blocks, odd counts that leave every unrolled loop a tail, and long rows.
const int64_t block_counts[] = {1, 2, 3, 7, 17, 28, 33};

TEST(VecDot, ScalarMatchesDequantisedDotProduct) {
    for (const QuantType& q : quant_types) {
        for (int64_t blocks : block_counts) {
            for (bool raw : {false, true}) {
                const int64_t n = blocks * q.block_elems;
                std::vector<float> w = test_weights(q, n, uint32_t(blocks), raw);
                const std::vector<float> x = gaussian(size_t(n), 100 + uint32_t(blocks));
                std::vector<float> a(quant_activation_bytes(q.dtype, n) / 4 + 1);
                quantize_activation(a.data(), q.dtype, x.data(), n);

                std::vector<float> wf(static_cast<size_t>(n));
                q.dequantize(wf.data(), w.data(), n);
                const std::vector<float> af = activation_values(q.dtype, a.data(), n);
                double want = 0;
                for (int64_t i = 0; i < n; ++i) want += double(wf[size_t(i)]) * double(af[size_t(i)]);

                const float got = q.dot_scalar(w.data(), a.data(), n);
                EXPECT_NEAR(got, want, 1e-5 * abs_dot(wf, af) + 1e-6)
                    << type_name(q) << " blocks=" << blocks << " raw=" << raw;
            }
        }
    }
}

TEST(VecDot, Avx2MatchesScalarTwin) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    for (const QuantType& q : quant_types) {
        for (int64_t blocks : block_counts) {
            for (bool raw : {false, true}) {
                const int64_t n = blocks * q.block_elems;
                std::vector<float> w = test_weights(q, n, 1000 + uint32_t(blocks), raw);
                const std::vector<float> x = gaussian(size_t(n), 2000 + uint32_t(blocks));
                std::vector<float> a(quant_activation_bytes(q.dtype, n) / 4 + 1);
                quantize_activation(a.data(), q.dtype, x.data(), n);
                std::vector<float> wf(static_cast<size_t>(n));
                q.dequantize(wf.data(), w.data(), n);

                const float scalar = q.dot_scalar(w.data(), a.data(), n);
                const float simd = q.dot_avx2(w.data(), a.data(), n);
                // Integer sums are exact in both; only the float accumulation of block terms differs.
                EXPECT_NEAR(simd, scalar, 1e-6 * abs_dot(wf, activation_values(q.dtype, a.data(), n)) + 1e-7)
                    << type_name(q) << " blocks=" << blocks << " raw=" << raw;
                ASSERT_TRUE(std::isfinite(simd));
            }
        }
    }
}

using VecDotKFn = float (*)(const void* w, const void* a, int64_t n);

// The K-quant VNNI kernels: the integer block sums are exact and the float terms are the scalar
// twin's, in its order, so the results must match bit for bit (raw random blocks reach every
// 6-bit scale and min, and negative Q6_K scales).
void expect_vnni_k_quants_bit_identical(VecDotKFn q4_k, VecDotKFn q6_k) {
    for (const QuantType& q : quant_types) {
        if (q.dtype == DType::DType_q8_0) continue;
        const VecDotKFn vnni = q.dtype == DType::DType_q4_k ? q4_k : q6_k;
        for (int64_t blocks : block_counts) {
            for (bool raw : {false, true}) {
                const int64_t n = blocks * q.block_elems;
                std::vector<float> w = test_weights(q, n, 3000 + uint32_t(blocks), raw);
                const std::vector<float> x = gaussian(size_t(n), 4000 + uint32_t(blocks));
                std::vector<float> a(quant_activation_bytes(q.dtype, n) / 4 + 1);
                quantize_activation(a.data(), q.dtype, x.data(), n);
                const float scalar = q.dot_scalar(w.data(), a.data(), n), simd = vnni(w.data(), a.data(), n);
                EXPECT_EQ(bits_from_f32(simd), bits_from_f32(scalar))
                    << type_name(q) << " blocks=" << blocks << " raw=" << raw << ": " << simd << " vs " << scalar;
            }
        }
    }
}

TEST(VecDot, Avx512VnniIsBitIdenticalToScalarTwin) {
    const CpuFeatures& f = cpu_features();
    if (!(f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512_vnni))
        GTEST_SKIP() << "CPU has no AVX-512 F+BW+VNNI: native kernels not run (the emulated test was)";
    expect_vnni_k_quants_bit_identical(
        [](const void* w, const void* a, int64_t n) {
            return vec_dot_q4_k_q8_k_avx512_vnni(static_cast<const BlockQ4_K*>(w), static_cast<const BlockQ8_K*>(a), n);
        },
        [](const void* w, const void* a, int64_t n) {
            return vec_dot_q6_k_q8_k_avx512_vnni(static_cast<const BlockQ6_K*>(w), static_cast<const BlockQ8_K*>(a), n);
        });
}

TEST(VecDot, Avx512VnniEmulatedIsBitIdenticalToScalarTwin) {
    if (!(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) GTEST_SKIP() << "CPU has no AVX2+FMA+F16C";
    expect_vnni_k_quants_bit_identical(
        [](const void* w, const void* a, int64_t n) {
            return vec_dot_q4_k_q8_k_avx512_vnni_emulated(static_cast<const BlockQ4_K*>(w),
                                                          static_cast<const BlockQ8_K*>(a), n);
        },
        [](const void* w, const void* a, int64_t n) {
            return vec_dot_q6_k_q8_k_avx512_vnni_emulated(static_cast<const BlockQ6_K*>(w),
                                                          static_cast<const BlockQ8_K*>(a), n);
        });
}

// ---- matmul ---------------------------------------------------------------------------------------

// matmul on a quantised WeightMatrix against y = x·Wᵀ in f32 with the original (unquantised)
// weights; the error combines weight and activation quantisation. Bounds are ~2x the measured
// NMSE (rows 37, cols 1024, 3 tokens, N(0,1) data): Q8_0 4.65e-5, Q6_K 3.16e-4, Q4_K 5.56e-3.
struct MatmulCase {
    DType dtype;
    double bound;
};
const MatmulCase matmul_cases[] = {
    {DType::DType_q8_0, 1.0e-4},
    {DType::DType_q6_k, 6.0e-4},
    {DType::DType_q4_k, 1.0e-2},
};

TEST(QuantMatmul, MatchesF32ReferenceWithinNmse) {
    const int64_t rows = 37, cols = 4 * QK_K, n_tokens = 3;
    const std::vector<float> w_f32 = gaussian(size_t(rows * cols), 5);
    const std::vector<float> x = gaussian(size_t(n_tokens * cols), 6);
    ThreadPool pool(2);

    std::vector<float> y_ref(static_cast<size_t>(n_tokens * rows));
    WeightMatrix reference{DType::DType_f32, rows, cols, w_f32.data()};
    matmul(y_ref.data(), x.data(), n_tokens, reference, pool);

    for (const MatmulCase& c : matmul_cases) {
        const QuantType& q = *std::find_if(std::begin(quant_types), std::end(quant_types),
                                           [&](const QuantType& t) { return t.dtype == c.dtype; });
        const int64_t row_bytes = dtype_row_bytes(q.dtype, cols);
        std::vector<float> storage((size_t(rows * row_bytes) + 3) / 4);
        for (int64_t r = 0; r < rows; ++r)
            q.quantize(reinterpret_cast<uint8_t*>(storage.data()) + r * row_bytes, w_f32.data() + r * cols, cols);
        WeightMatrix w{q.dtype, rows, cols, storage.data()};
        EXPECT_EQ(w.bytes(), rows * row_bytes);

        std::vector<float> y(static_cast<size_t>(n_tokens * rows));
        matmul(y.data(), x.data(), n_tokens, w, pool);
        const double e = nmse(y_ref, y);
        std::printf("[ NMSE     ] %s matmul vs f32: %.3e (bound %.1e)\n", type_name(q).c_str(), e, c.bound);
        EXPECT_LT(e, c.bound) << type_name(q);

        // The single-token path and row slices go through the same kernel: identical results.
        std::vector<float> y_rows(static_cast<size_t>(rows - 10));
        std::vector<float> scratch(static_cast<size_t>(matvec_scratch_floats(w)));
        matvec_rows(y_rows.data(), x.data() + cols, w, 10, rows, scratch.data());
        for (int64_t r = 10; r < rows; ++r) EXPECT_EQ(y_rows[size_t(r - 10)], y[size_t(rows + r)]);
        const WeightMatrix slice = weight_row_slice(w, 10, rows - 10);
        std::vector<float> row(static_cast<size_t>(cols)), row_via_slice(static_cast<size_t>(cols));
        weight_dequantize_row(row.data(), w, 12);
        weight_dequantize_row(row_via_slice.data(), slice, 2);
        EXPECT_EQ(row, row_via_slice);
    }
}

TEST(QuantMatmul, RejectsColumnsNotAMultipleOfTheBlock) {
    std::vector<float> storage(64);
    WeightMatrix w{DType::DType_q4_k, 1, 128, storage.data()};
    std::vector<float> x(128), y(1);
    ThreadPool pool(1);
    EXPECT_THROW(matmul(y.data(), x.data(), 1, w, pool), Error);
}

TEST(QuantDType, BlockHelpers) {
    EXPECT_EQ(dtype_row_bytes(DType::DType_q8_0, 64), 68);
    EXPECT_EQ(dtype_row_bytes(DType::DType_q4_k, 512), 288);
    EXPECT_EQ(dtype_row_bytes(DType::DType_q6_k, 256), 210);
    EXPECT_EQ(dtype_row_bytes(DType::DType_bf16, 10), 20);
    EXPECT_TRUE(dtype_is_quantized(DType::DType_q6_k));
    EXPECT_FALSE(dtype_is_quantized(DType::DType_f8_e4m3));
    DType parsed;
    EXPECT_FALSE(dtype_from_safetensors_name("Q8_0", &parsed));  // safetensors cannot hold ggml blocks
}

// ---- speed (run with --gtest_also_run_disabled_tests; reports, never asserts) --------------------

TEST(QuantSpeed, DISABLED_VecDotWeightBytesPerSecond) {
    const int64_t n = 7168, rows = 2048;  // a DeepSeek-V3 expert projection: 7168 inputs
    const std::vector<float> x = gaussian(size_t(n), 1);
    for (const QuantType& q : quant_types) {
        const int64_t row_bytes = dtype_row_bytes(q.dtype, n);
        std::vector<float> storage((size_t(rows * row_bytes) + 3) / 4);
        const std::vector<float> w = gaussian(size_t(n), 2);
        for (int64_t r = 0; r < rows; ++r) q.quantize(reinterpret_cast<uint8_t*>(storage.data()) + r * row_bytes, w.data(), n);
        std::vector<float> a(quant_activation_bytes(q.dtype, n) / 4 + 1);
        quantize_activation(a.data(), q.dtype, x.data(), n);
        for (bool simd : {false, true}) {
            if (simd && !(cpu_features().avx2 && cpu_features().fma && cpu_features().f16c)) continue;
            float sink = 0;
            const int reps = simd ? 20 : 3;
            const auto start = std::chrono::steady_clock::now();
            for (int rep = 0; rep < reps; ++rep)
                for (int64_t r = 0; r < rows; ++r) {
                    const void* row = reinterpret_cast<const uint8_t*>(storage.data()) + r * row_bytes;
                    sink += simd ? q.dot_avx2(row, a.data(), n) : q.dot_scalar(row, a.data(), n);
                }
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("[ SPEED    ] %s %-6s %6.2f GB/s of weights, one thread (sink %g)\n", type_name(q).c_str(),
                        simd ? "avx2" : "scalar", double(reps) * double(rows * row_bytes) / seconds / 1e9, sink);
        }
    }
}

}  // namespace
}  // namespace whale
