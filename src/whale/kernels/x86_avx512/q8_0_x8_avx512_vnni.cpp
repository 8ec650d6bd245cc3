// AVX-512 VNNI twin of tile_dot_q8_0_x8_scalar (kernels/quant/q8_0_x8.cpp). VPDPBUSD adds the four
// byte products of each row's lane straight into its int32 block sum, where AVX2 needs VPMADDUBSW,
// VPMADDWD and VPADDD; the integer sums are exact either way, and the per-block float term and its
// order are the scalar twin's, so the results are bit-identical to it. AVX512VL's 32 vector
// registers hold the sums and accumulators of 8 tokens per weight load (AVX2: 4).
// Built without ISA flags: the functions carry target attributes, and callers reach them only
// through the dispatcher after checking cpu_features(). The tests also run it through SIMDe
// (intrinsics.h) on machines without AVX-512.
#include <cstring>

#include "whale/kernels/quant/q8_0_x8.h"
#include "whale/kernels/x86_avx512/intrinsics.h"

#define WHALE_TARGET_VNNI WHALE_AVX512_TARGET("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")

namespace whale {

namespace {

template <int T>
WHALE_TARGET_VNNI void group_against_tokens(float* y, int64_t y_stride, const BlockQ8_0x8* w, const BlockQ8_0* a,
                                            int64_t nb) {
    __m256 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const BlockQ8_0x8& block = w[b];
        // Every cache line of the block 1 KiB ahead, as the AVX2 variant (a block spans 4.25 lines).
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
                sum[t] = _mm256_dpbusd_epi32(sum[t], w_abs, _mm256_sign_epi8(_mm256_set1_epi32(group), wq));
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

template <int T>
WHALE_TARGET_VNNI void groups_against_tokens(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups,
                                             const BlockQ8_0* a, int64_t nb) {
    for (int64_t g = 0; g < n_groups; ++g) group_against_tokens<T>(y + 8 * g, y_stride, w + g * nb, a, nb);
}

}  // namespace

WHALE_TARGET_VNNI void WHALE_AVX512_NAME(tile_dot_q8_0_x8_avx512_vnni)(float* y, int64_t y_stride,
                                                                       const BlockQ8_0x8* w, int64_t n_groups,
                                                                       const BlockQ8_0* a, int64_t n_tokens,
                                                                       int64_t n) {
    const int64_t nb = n / QK8_0;
    int64_t t = 0;
    for (; t + 8 <= n_tokens; t += 8) groups_against_tokens<8>(y + t * y_stride, y_stride, w, n_groups, a + t * nb, nb);
    float* yt = y + t * y_stride;
    const BlockQ8_0* at = a + t * nb;
    switch (n_tokens - t) {
        case 7: groups_against_tokens<7>(yt, y_stride, w, n_groups, at, nb); break;
        case 6: groups_against_tokens<6>(yt, y_stride, w, n_groups, at, nb); break;
        case 5: groups_against_tokens<5>(yt, y_stride, w, n_groups, at, nb); break;
        case 4: groups_against_tokens<4>(yt, y_stride, w, n_groups, at, nb); break;
        case 3: groups_against_tokens<3>(yt, y_stride, w, n_groups, at, nb); break;
        case 2: groups_against_tokens<2>(yt, y_stride, w, n_groups, at, nb); break;
        case 1: groups_against_tokens<1>(yt, y_stride, w, n_groups, at, nb); break;
        default: break;
    }
}

}  // namespace whale
