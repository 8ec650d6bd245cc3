// AVX-512 VNNI twins of the K-quant dot products in kernels/quant/vec_dot.cpp. One 512-bit vector
// holds 64 weight codes (two sub-blocks); VPMADDUBSW forms the int16 pair sums as in the AVX2
// kernels, and VPDPWSSD multiplies them by the sub-block scales and accumulates into int32 in one
// instruction (the AVX2 kernels' VPMADDWD + VPADDD). The integer block sum is exact, and the float
// terms are the scalar twin's in its order, so results are bit-identical to it.
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/x86_avx512/intrinsics.h"

#define WHALE_TARGET_VNNI WHALE_AVX512_TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vnni")

namespace whale {

namespace {

WHALE_TARGET_VNNI float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

WHALE_TARGET_VNNI int32_t horizontal_sum_i32(__m256i v) {
    __m128i half = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, _MM_SHUFFLE(1, 0, 3, 2)));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(half);
}

WHALE_TARGET_VNNI int32_t horizontal_sum_i32(__m512i v) {
    return horizontal_sum_i32(_mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

// The 64 bytes low (bytes 0-31) and high (32-63).
WHALE_TARGET_VNNI __m512i concat(__m256i low, __m256i high) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
}

}  // namespace

WHALE_TARGET_VNNI float WHALE_AVX512_NAME(vec_dot_q4_k_q8_k_avx512_vnni)(const BlockQ4_K* w, const BlockQ8_K* a,
                                                                         int64_t n) {
    const __m256i low_mask = _mm256_set1_epi8(0x0F);
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ4_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; ++j) q4_k_scale_min(j, wb.scales, &sc[j], &m[j]);

        __m512i acc = _mm512_setzero_si512();
        for (int chunk = 0; chunk < 4; ++chunk) {
            // Chunk c's low nibbles are values 64c..64c+31 (sub-block 2c), its high nibbles the
            // next 32 (sub-block 2c + 1): side by side they line up with 64 contiguous activations.
            const __m256i q4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb.qs + 32 * chunk));
            const __m512i codes = concat(_mm256_and_si256(q4, low_mask), _mm256_and_si256(_mm256_srli_epi16(q4, 4), low_mask));
            const __m512i q8 = _mm512_loadu_si512(ab.qs + 64 * chunk);
            const __m512i scales = concat(_mm256_set1_epi16(sc[2 * chunk]), _mm256_set1_epi16(sc[2 * chunk + 1]));
            // int16 pair sums (at most 2·15·127), times the scale, into int32.
            acc = _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(codes, q8), scales);
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

WHALE_TARGET_VNNI float WHALE_AVX512_NAME(vec_dot_q6_k_q8_k_avx512_vnni)(const BlockQ6_K* w, const BlockQ8_K* a,
                                                                         int64_t n) {
    const __m256i low_mask = _mm256_set1_epi8(0x0F);
    // VPERMW index: int16 lane l of a 64-value vector holds values 2l, 2l + 1, in scale group l / 8.
    static const uint16_t group_of_lane[32] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                               2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
    const __m512i lane_groups = _mm512_loadu_si512(group_of_lane);
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ6_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        // The 16 scales as int16; group g covers activations 16g..16g+15, as bsums[g] does.
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb.scales)));
        __m512i acc = _mm512_setzero_si512();
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = wb.ql + 64 * half;
            const int8_t* q8 = ab.qs + 128 * half;
            const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb.qh + 32 * half));
            // The four 32-value streams of this half as unsigned 6-bit codes, as in the AVX2 kernel.
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(ql0, low_mask),
                                   _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x03)), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(ql1, low_mask),
                                   _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0C)), 2));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low_mask),
                                   _mm256_and_si256(qh, _mm256_set1_epi8(0x30)));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low_mask),
                                   _mm256_srli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(char(0xC0))), 2));
            for (int pair = 0; pair < 2; ++pair) {
                const __m512i codes = concat(q[2 * pair], q[2 * pair + 1]);
                const __m512i a8 = _mm512_loadu_si512(q8 + 64 * pair);
                const int first_group = 8 * half + 4 * pair;
                const __m512i scales = _mm512_permutexvar_epi16(
                    _mm512_add_epi16(lane_groups, _mm512_set1_epi16(int16_t(first_group))), _mm512_castsi256_si512(scales16));
                // q·a as int16 pair sums (at most 2·63·127), times the scale, into int32.
                acc = _mm512_dpwssd_epi32(acc, _mm512_maddubs_epi16(codes, a8), scales);
            }
        }
        // (q - 32)·a: the -32·a part is -32 · Σ scale[g] · bsums[g].
        const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab.bsums));
        const int32_t offset = horizontal_sum_i32(_mm256_madd_epi16(scales16, bsums));
        const float d = half_to_float(wb.d) * ab.d;
        sum += d * float(horizontal_sum_i32(acc) - 32 * offset);
    }
    return sum;
}

}  // namespace whale
