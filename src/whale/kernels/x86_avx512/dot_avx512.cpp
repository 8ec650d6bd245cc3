// AVX-512 twins of kernels/dot.cpp: dot_many_f32 with 16-float vectors (AVX-512F), and the bf16
// products (AVX-512 BF16), whose VDPBF16PS multiplies 32 bf16 pairs into 16 f32 lanes per
// instruction and lets bf16 weight rows be read in place instead of dequantised to f32 first.
#include <cstring>

#include "whale/core/dtype.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/x86_avx512/intrinsics.h"

#define WHALE_TARGET_F32 WHALE_AVX512_TARGET("avx2,fma,avx512f")
#define WHALE_TARGET_BF16 WHALE_AVX512_TARGET("avx2,fma,avx512f,avx512bw,avx512bf16")

namespace whale {

namespace {

// Lanes l and l + 8, then the AVX2 kernels' order; dot_many_bf16_scalar mirrors it exactly.
WHALE_TARGET_F32 float horizontal_sum(__m512 v) {
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    const __m256 sum = _mm256_add_ps(_mm512_castps512_ps256(v), high);
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_movehdup_ps(half));
    return _mm_cvtss_f32(half);
}

// Q queries × J rows: Q·J accumulators, Q + J loads per 16 columns; the last n % 16 columns are
// added in scalar after the lanes are summed, as in the AVX2 kernel.
template <int Q, int J>
WHALE_TARGET_F32 void dot_tile_f32(float* out, int64_t out_stride, const float* queries, int64_t query_stride,
                                   const float* const* rows, int64_t n) {
    __m512 acc[Q][J];
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) acc[q][j] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 r[J];
        for (int j = 0; j < J; ++j) r[j] = _mm512_loadu_ps(rows[j] + i);
        for (int q = 0; q < Q; ++q) {
            const __m512 x = _mm512_loadu_ps(queries + q * query_stride + i);
            for (int j = 0; j < J; ++j) acc[q][j] = _mm512_fmadd_ps(x, r[j], acc[q][j]);
        }
    }
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) {
            float sum = horizontal_sum(acc[q][j]);
            for (int64_t k = i; k < n; ++k) sum += queries[q * query_stride + k] * rows[j][k];
            out[q * out_stride + j] = sum;
        }
}

WHALE_TARGET_BF16 __m512bh load_bf16(const uint16_t* p) {
    __m512bh v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The first `count` < 32 values at p followed by zeros, which add nothing to any lane.
WHALE_TARGET_BF16 __m512bh load_bf16_tail(const uint16_t* p, int64_t count) {
    uint16_t padded[32] = {};
    std::memcpy(padded, p, size_t(count) * sizeof(uint16_t));
    return load_bf16(padded);
}

// One VDPBF16PS per (query, row) over columns [i, end), end - i <= 32, zero-padded when shorter.
template <int Q, int J>
WHALE_TARGET_BF16 void dot_step_bf16(__m512 (&acc)[Q][J], const uint16_t* queries, int64_t query_stride,
                                     const uint16_t* const* rows, int64_t i, int64_t end) {
    const bool tail = end - i < 32;
    __m512bh r[J];
    for (int j = 0; j < J; ++j) r[j] = tail ? load_bf16_tail(rows[j] + i, end - i) : load_bf16(rows[j] + i);
    for (int q = 0; q < Q; ++q) {
        const uint16_t* x = queries + q * query_stride + i;
        const __m512bh xq = tail ? load_bf16_tail(x, end - i) : load_bf16(x);
        for (int j = 0; j < J; ++j) acc[q][j] = _mm512_dpbf16_ps(acc[q][j], xq, r[j]);
    }
}

// As dot_tile_f32 with one VDPBF16PS per 32 columns. The tail is zero-padded rather than summed
// in scalar, so every pair takes exactly the lane steps dot_many_bf16_scalar takes.
template <int Q, int J>
WHALE_TARGET_BF16 void dot_tile_bf16(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride,
                                     const uint16_t* const* rows, int64_t n) {
    __m512 acc[Q][J];
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) acc[q][j] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) dot_step_bf16<Q, J>(acc, queries, query_stride, rows, i, i + 32);
    if (i < n) dot_step_bf16<Q, J>(acc, queries, query_stride, rows, i, n);
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) out[q * out_stride + j] = horizontal_sum(acc[q][j]);
}

// 16 floats (as int32 bits) to bf16 in the low half of each lane, exactly as f32_to_bf16.
WHALE_TARGET_BF16 __m512i round_lanes_to_bf16(__m512i bits) {
    const __m512i high = _mm512_srli_epi32(bits, 16);
    const __m512i bias = _mm512_add_epi32(_mm512_set1_epi32(0x7fff), _mm512_and_si512(high, _mm512_set1_epi32(1)));
    const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, bias), 16);
    const __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(bits, _mm512_set1_epi32(0x7fffffff)),
                                                  _mm512_set1_epi32(0x7f800000));
    return _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(high, _mm512_set1_epi32(0x40)));
}

}  // namespace

WHALE_TARGET_F32 void WHALE_AVX512_NAME(dot_many_f32_avx512)(float* out, int64_t out_stride, const float* queries,
                                                             int64_t query_stride, int64_t n_queries,
                                                             const float* const* rows, int64_t n_rows, int64_t n) {
    // 4 queries × 4 rows: 16 accumulators and 5 live loads of the 32 registers.
    for (int64_t j = 0; j < n_rows;) {
        const bool four = j + 4 <= n_rows;
        int64_t q = 0;
        for (; q + 4 <= n_queries; q += 4) {
            float* o = out + q * out_stride + j;
            const float* x = queries + q * query_stride;
            if (four)
                dot_tile_f32<4, 4>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile_f32<4, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
        for (; q < n_queries; ++q) {
            float* o = out + q * out_stride + j;
            const float* x = queries + q * query_stride;
            if (four)
                dot_tile_f32<1, 4>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile_f32<1, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
        j += four ? 4 : 1;
    }
}

WHALE_TARGET_BF16 void WHALE_AVX512_NAME(round_to_bf16_avx512)(uint16_t* out, const float* x, int64_t n) {
    // VPERMT2W index: the low halves of the 16 + 16 lanes, in order.
    static const uint16_t low_halves[32] = {0,  2,  4,  6,  8,  10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30,
                                            32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 62};
    const __m512i index = _mm512_loadu_si512(low_halves);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512i low = round_lanes_to_bf16(_mm512_loadu_si512(x + i));
        const __m512i high = round_lanes_to_bf16(_mm512_loadu_si512(x + i + 16));
        _mm512_storeu_si512(out + i, _mm512_permutex2var_epi16(low, index, high));
    }
    for (; i < n; ++i) out[i] = f32_to_bf16(x[i]);
}

WHALE_TARGET_BF16 void WHALE_AVX512_NAME(dot_many_bf16_avx512_bf16)(float* out, int64_t out_stride,
                                                                    const uint16_t* queries, int64_t query_stride,
                                                                    int64_t n_queries, const uint16_t* const* rows,
                                                                    int64_t n_rows, int64_t n) {
    for (int64_t j = 0; j < n_rows;) {
        const bool four = j + 4 <= n_rows;
        int64_t q = 0;
        for (; q + 4 <= n_queries; q += 4) {
            float* o = out + q * out_stride + j;
            const uint16_t* x = queries + q * query_stride;
            if (four)
                dot_tile_bf16<4, 4>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile_bf16<4, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
        for (; q < n_queries; ++q) {
            float* o = out + q * out_stride + j;
            const uint16_t* x = queries + q * query_stride;
            if (four)
                dot_tile_bf16<1, 4>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile_bf16<1, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
        j += four ? 4 : 1;
    }
}

}  // namespace whale
