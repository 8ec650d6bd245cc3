#include "whale/kernels/quant/tile_dot.h"

#include "whale/core/cpu_features.h"
#include "whale/kernels/quant/vec_dot.h"

namespace whale {

void tile_dot_q8_0_scalar(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                          int64_t n_tokens, int64_t n) {
    const int64_t nb = n / QK8_0;
    for (int64_t t = 0; t < n_tokens; ++t)
        for (int64_t r = 0; r < n_rows; ++r) y[t * y_stride + r] = vec_dot_q8_0_q8_0_scalar(w + r * nb, a + t * nb, n);
}

void tile_dot_q8_0(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                   int64_t n_tokens, int64_t n) {
    static const bool avx2 = cpu_features().avx2 && cpu_features().fma && cpu_features().f16c;
    static const bool vnni = avx2 && cpu_features().avx512f && cpu_features().avx512vl && cpu_features().avx512_vnni;
    if (vnni)
        tile_dot_q8_0_avx512_vnni(y, y_stride, w, n_rows, a, n_tokens, n);
    else if (avx2)
        tile_dot_q8_0_avx2(y, y_stride, w, n_rows, a, n_tokens, n);
    else
        tile_dot_q8_0_scalar(y, y_stride, w, n_rows, a, n_tokens, n);
}

}  // namespace whale
