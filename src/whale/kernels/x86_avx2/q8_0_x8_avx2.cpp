// AVX2 twin of tile_dot_q8_0_x8_scalar (kernels/quant/q8_0_x8.cpp). This file alone is compiled
// with -mavx2 -mfma -mf16c; callers reach it only through the dispatcher after checking
// cpu_features().
// One register holds 4 values of each of the 8 rows; a token's matching 4 activations are
// broadcast to all lanes, so VPMADDUBSW + VPMADDWD leave each row's partial sum in its own lane.
// Up to 4 tokens share each weight load (prefill); their int32 block sums and float accumulators
// take 8 of the 16 registers.
#include <immintrin.h>

#include <cstring>

#include "whale/kernels/quant/q8_0_x8.h"

namespace whale {

namespace {

template <int T>
void group_against_tokens(float* y, int64_t y_stride, const BlockQ8_0x8* w, const BlockQ8_0* a, int64_t nb) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const BlockQ8_0x8& block = w[b];
        // A single token streams the weights from DRAM once: ask for every cache line of the block
        // 1 KiB ahead. One prefetch per 272-byte block (4.25 lines) left the x8 kernel 12 % slower
        // than the plain one on the 223 MB lm_head; every line made it 8-14 % faster (2 threads).
        if (T == 1)
            for (int line = 0; line < int(sizeof(BlockQ8_0x8)); line += 64)
                _mm_prefetch(reinterpret_cast<const char*>(&block) + 1024 + line, _MM_HINT_T0);
        __m256i sum[T];
        for (int t = 0; t < T; ++t) sum[t] = _mm256_setzero_si256();
        for (int k = 0; k < QK8_0 / 4; ++k) {
            const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.qs + 32 * k));
            const __m256i w_abs = _mm256_sign_epi8(wq, wq);
            for (int t = 0; t < T; ++t) {
                int32_t group;
                std::memcpy(&group, a[t * nb + b].qs + 4 * k, 4);
                // |w| unsigned × a with w's sign: the signed product without int16 overflow
                // (|w|, |a| ≤ 127 as quantize_row_q8_0 makes them; a -128 weight is still exact).
                const __m256i pairs = _mm256_maddubs_epi16(w_abs, _mm256_sign_epi8(_mm256_set1_epi32(group), wq));
                sum[t] = _mm256_add_epi32(sum[t], _mm256_madd_epi16(pairs, ones));
            }
        }
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block.d)));
        for (int t = 0; t < T; ++t) {
            const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(_cvtsh_ss(a[t * nb + b].d)));
            acc[t] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(sum[t]), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

// Every group against T tokens.
template <int T>
void groups_against_tokens(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                           int64_t nb) {
    for (int64_t g = 0; g < n_groups; ++g) group_against_tokens<T>(y + 8 * g, y_stride, w + g * nb, a, nb);
}

}  // namespace

void tile_dot_q8_0_x8_avx2(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                           int64_t n_tokens, int64_t n) {
    const int64_t nb = n / QK8_0;
    int64_t t = 0;
    for (; t + 4 <= n_tokens; t += 4) groups_against_tokens<4>(y + t * y_stride, y_stride, w, n_groups, a + t * nb, nb);
    switch (n_tokens - t) {
        case 3: groups_against_tokens<3>(y + t * y_stride, y_stride, w, n_groups, a + t * nb, nb); break;
        case 2: groups_against_tokens<2>(y + t * y_stride, y_stride, w, n_groups, a + t * nb, nb); break;
        case 1: groups_against_tokens<1>(y + t * y_stride, y_stride, w, n_groups, a + t * nb, nb); break;
        default: break;
    }
}

}  // namespace whale
