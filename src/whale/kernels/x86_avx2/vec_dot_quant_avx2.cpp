// AVX2 twins of kernels/quant/vec_dot.cpp. This file alone is compiled with -mavx2 -mfma; callers
// reach it only through the dispatchers after checking cpu_features().
// The integer products use _mm256_maddubs_epi16 (unsigned × signed bytes, pairs summed to int16):
// the unsigned operand is the weight's non-negative code (4- or 6-bit) or |w| for Q8_0, which
// cannot saturate int16 for activations in [-127, 127].
#include <immintrin.h>

#include "whale/core/dtype.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/x86_avx2/horizontal_sum.h"

namespace whale {

using avx2::horizontal_sum;
using avx2::horizontal_sum_i32;

namespace {

// fp16 -> f32 with F16C (exact, like f16_to_f32, but one instruction instead of a call).
float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

// Sum of 32 signed-byte products w·a as 8 int32 lanes. |w| as the unsigned operand and a with w's
// sign keep the product sign right; w = -128 works because its byte 0x80 read unsigned is 128.
__m256i dot_i8_32(__m256i w, __m256i a) {
    const __m256i w_abs = _mm256_sign_epi8(w, w);
    const __m256i a_signed = _mm256_sign_epi8(a, w);
    const __m256i pairs = _mm256_maddubs_epi16(w_abs, a_signed);
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

}  // namespace

float vec_dot_q8_0_q8_0_avx2(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n) {
    // Two accumulators so consecutive blocks' FMAs do not wait on each other.
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
        const __m256i aq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[b].qs));
        const __m256 products = _mm256_cvtepi32_ps(dot_i8_32(wq, aq));
        const __m256 scale = _mm256_set1_ps(half_to_float(w[b].d) * half_to_float(a[b].d));
        acc[b & 1] = _mm256_fmadd_ps(scale, products, acc[b & 1]);
    }
    return horizontal_sum(_mm256_add_ps(acc[0], acc[1]));
}

float vec_dot_q8_0_f32_avx2(const BlockQ8_0* w, const float* x, int64_t n) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float* xb = x + b * QK8_0;
        __m256 block = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            const __m128i q8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w[b].qs + 8 * k));
            block = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8)), _mm256_loadu_ps(xb + 8 * k), block);
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(w[b].d)), block, acc);
    }
    return horizontal_sum(acc);
}

float vec_dot_q4_k_q8_k_avx2(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n) {
    const __m256i low_mask = _mm256_set1_epi8(0x0F);
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ4_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; ++j) q4_k_scale_min(j, wb.scales, &sc[j], &m[j]);

        __m256i acc = _mm256_setzero_si256();
        for (int chunk = 0; chunk < 4; ++chunk) {
            const __m256i q4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb.qs + 32 * chunk));
            const __m256i low = _mm256_and_si256(q4, low_mask);
            const __m256i high = _mm256_and_si256(_mm256_srli_epi16(q4, 4), low_mask);
            const __m256i q8_low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab.qs + 64 * chunk));
            const __m256i q8_high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab.qs + 64 * chunk + 32));
            // int16 pair sums (at most 2·15·127), then × the sub-block scale into int32.
            const __m256i p_low = _mm256_madd_epi16(_mm256_maddubs_epi16(low, q8_low), _mm256_set1_epi16(sc[2 * chunk]));
            const __m256i p_high =
                _mm256_madd_epi16(_mm256_maddubs_epi16(high, q8_high), _mm256_set1_epi16(sc[2 * chunk + 1]));
            acc = _mm256_add_epi32(acc, _mm256_add_epi32(p_low, p_high));
        }
        int32_t sum_min = 0;
        for (int j = 0; j < 8; ++j) sum_min += int32_t(m[j]) * (ab.bsums[2 * j] + ab.bsums[2 * j + 1]);

        const float d = half_to_float(wb.d) * ab.d;
        const float dmin = half_to_float(wb.dmin) * ab.d;
        const float term = d * float(horizontal_sum_i32(acc));
        const float min_term = dmin * float(sum_min);
        sum += term - min_term;
    }
    return sum;
}

float vec_dot_q6_k_q8_k_avx2(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n) {
    const __m256i low_mask = _mm256_set1_epi8(0x0F);
    const __m256i offset = _mm256_set1_epi8(32);
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ6_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = wb.ql + 64 * half;
            const int8_t* sc = wb.scales + 8 * half;
            const int8_t* q8 = ab.qs + 128 * half;
            const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb.qh + 32 * half));
            // The four 32-value streams of this half as unsigned 6-bit codes. Masks come before
            // 16-bit shifts so no bit crosses into the neighbouring byte.
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(ql0, low_mask),
                                   _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x03)), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(ql1, low_mask),
                                   _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0C)), 2));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low_mask),
                                   _mm256_and_si256(qh, _mm256_set1_epi8(0x30)));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low_mask),
                                   _mm256_srli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(char(0xC0))), 2));
            for (int k = 0; k < 4; ++k) {
                const __m256i a8 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8 + 32 * k));
                // (q - 32)·a = q·a - 32·a, both as int16 pair sums (at most 2·63·127).
                const __m256i products = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], a8), _mm256_maddubs_epi16(offset, a8));
                // Lanes 0-7 hold values 0-15 of the stream (scale sc[2k]), lanes 8-15 values 16-31.
                const __m256i scales = _mm256_setr_m128i(_mm_set1_epi16(sc[2 * k]), _mm_set1_epi16(sc[2 * k + 1]));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(products, scales));
            }
        }
        const float d = half_to_float(wb.d) * ab.d;
        sum += d * float(horizontal_sum_i32(acc));
    }
    return sum;
}

void quantize_row_q8_0_avx2(BlockQ8_0* out, const float* x, int64_t n) {
    const __m256 sign_bit = _mm256_set1_ps(-0.0f), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float* xb = x + b * QK8_0;
        __m256 v[4];
        __m256 amax = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(xb + 8 * k);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_bit, v[k]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        // The same scalar steps as quantize_row_q8_0, so d, id and the fp16 scale match it exactly.
        const float d = _mm_cvtss_f32(m) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        out[b].d = f32_to_f16(d);
        __m256i q[4];
        for (int k = 0; k < 4; ++k) {
            const __m256 scaled = _mm256_mul_ps(v[k], _mm256_set1_ps(id));
            // roundf: truncate, then step away from zero when the dropped fraction is >= 0.5
            // (exact: |scaled| <= 127 leaves the fraction representable).
            const __m256 whole = _mm256_round_ps(scaled, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            const __m256 frac = _mm256_andnot_ps(sign_bit, _mm256_sub_ps(scaled, whole));
            const __m256 step = _mm256_and_ps(_mm256_cmp_ps(frac, half, _CMP_GE_OQ),
                                              _mm256_or_ps(one, _mm256_and_ps(sign_bit, scaled)));
            q[k] = _mm256_cvttps_epi32(_mm256_add_ps(whole, step));
        }
        // int32 -> int8 with saturation (values are already in [-127, 127]); packs work per
        // 128-bit lane, so a final permute restores the order.
        const __m256i words = _mm256_packs_epi32(q[0], q[1]), words_hi = _mm256_packs_epi32(q[2], q[3]);
        const __m256i bytes = _mm256_packs_epi16(words, words_hi);
        const __m256i ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].qs), ordered);
    }
}

}  // namespace whale
