// AVX-512 VNNI twin of kernels/quant/tile_dot.cpp (Zen 4/5, Ice Lake and later). VPDPBUSD does
// in one instruction what the AVX2 kernel does with VPMADDUBSW + VPMADDWD: each int32 lane sums the
// four byte products of the same four positions, and no int16 saturation can occur in either, so
// the lanes, the per-block float terms and their order are exactly the AVX2 kernel's and the
// results are bit-identical to it; only the multiply-port work per block halves, which is what
// bounds the AVX2 kernel in prefill (about 30 GMAC/s per core measured on a 2.45 GHz EPYC).
// 256-bit vectors with AVX512VL keep that order and the same register tiling.
// Built without ISA flags: the functions carry target attributes, and callers reach them only
// through the dispatcher after checking cpu_features(). The tests also run it through SIMDe
// (intrinsics.h) on machines without AVX-512.
#include "whale/kernels/quant/tile_dot.h"
#include "whale/kernels/x86_avx512/intrinsics.h"

#define WHALE_TARGET_VNNI WHALE_AVX512_TARGET("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")

namespace whale {

namespace {

WHALE_TARGET_VNNI float horizontal_sum(__m256 v) {
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_movehdup_ps(half));
    return _mm_cvtss_f32(half);
}

// R rows × T tokens over nb blocks, as micro_tile in x86_avx2/tile_dot_avx2.cpp.
template <int R, int T>
WHALE_TARGET_VNNI void micro_tile(float* y, int64_t y_stride, const BlockQ8_0* w, const BlockQ8_0* a, int64_t nb) {
    __m256 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        __m256i wq[R], w_abs[R];
        float dw[R];
        for (int r = 0; r < R; ++r) {
            const BlockQ8_0& block = w[r * nb + b];
            if (R == 1 && T == 1) _mm_prefetch(reinterpret_cast<const char*>(&block) + 1024, _MM_HINT_T0);
            wq[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.qs));
            w_abs[r] = _mm256_sign_epi8(wq[r], wq[r]);
            dw[r] = _cvtsh_ss(block.d);
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0& block = a[t * nb + b];
            const __m256i aq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.qs));
            const float da = _cvtsh_ss(block.d);
            for (int r = 0; r < R; ++r) {
                const __m256i sums =
                    _mm256_dpbusd_epi32(_mm256_setzero_si256(), w_abs[r], _mm256_sign_epi8(aq, wq[r]));
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dw[r] * da), _mm256_cvtepi32_ps(sums), acc[r][t]);
            }
        }
    }
    for (int t = 0; t < T; ++t)
        for (int r = 0; r < R; ++r) y[t * y_stride + r] = horizontal_sum(acc[r][t]);
}

template <int R, int T>
WHALE_TARGET_VNNI void rows_against_tokens(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows,
                                           const BlockQ8_0* a, int64_t nb) {
    int64_t r = 0;
    for (; r + R <= n_rows; r += R) micro_tile<R, T>(y + r, y_stride, w + r * nb, a, nb);
    for (; r < n_rows; ++r) micro_tile<1, T>(y + r, y_stride, w + r * nb, a, nb);
}

}  // namespace

WHALE_TARGET_VNNI void WHALE_AVX512_NAME(tile_dot_q8_0_avx512_vnni)(float* y, int64_t y_stride, const BlockQ8_0* w,
                                                                    int64_t n_rows, const BlockQ8_0* a,
                                                                    int64_t n_tokens, int64_t n) {
    const int64_t nb = n / QK8_0;
    int64_t t = 0;
    for (; t + 4 <= n_tokens; t += 4) rows_against_tokens<2, 4>(y + t * y_stride, y_stride, w, n_rows, a + t * nb, nb);
    switch (n_tokens - t) {
        case 3: rows_against_tokens<2, 3>(y + t * y_stride, y_stride, w, n_rows, a + t * nb, nb); break;
        case 2: rows_against_tokens<2, 2>(y + t * y_stride, y_stride, w, n_rows, a + t * nb, nb); break;
        case 1: rows_against_tokens<1, 1>(y + t * y_stride, y_stride, w, n_rows, a + t * nb, nb); break;
        default: break;
    }
}

}  // namespace whale
