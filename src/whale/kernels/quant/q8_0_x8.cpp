#include "whale/kernels/quant/q8_0_x8.h"

#include <cmath>
#include <cstring>

#include "whale/core/cpu_features.h"
#include "whale/core/dtype.h"

namespace whale {

size_t q8_0_x8_bytes(int64_t rows, int64_t cols) {
    return size_t(rows / 8) * size_t(cols / QK8_0) * sizeof(BlockQ8_0x8);
}

void pack_q8_0_x8(BlockQ8_0x8* out, const BlockQ8_0* w, int64_t rows, int64_t cols) {
    const int64_t nb = cols / QK8_0;
    for (int64_t g = 0; g < rows / 8; ++g) {
        for (int64_t b = 0; b < nb; ++b) {
            BlockQ8_0x8& packed = out[g * nb + b];
            for (int64_t r = 0; r < 8; ++r) {
                const BlockQ8_0& block = w[(8 * g + r) * nb + b];
                packed.d[r] = block.d;
                for (int64_t k = 0; k < QK8_0 / 4; ++k) std::memcpy(&packed.qs[32 * k + 4 * r], &block.qs[4 * k], 4);
            }
        }
    }
}

void tile_dot_q8_0_x8_scalar(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                             int64_t n_tokens, int64_t n) {
    const int64_t nb = n / QK8_0;
    for (int64_t t = 0; t < n_tokens; ++t) {
        for (int64_t g = 0; g < n_groups; ++g) {
            for (int64_t r = 0; r < 8; ++r) {
                float acc = 0.0f;
                for (int64_t b = 0; b < nb; ++b) {
                    const BlockQ8_0x8& block = w[g * nb + b];
                    const BlockQ8_0& act = a[t * nb + b];
                    int32_t sum = 0;
                    for (int64_t k = 0; k < QK8_0 / 4; ++k)
                        for (int64_t i = 0; i < 4; ++i) sum += int32_t(block.qs[32 * k + 4 * r + i]) * act.qs[4 * k + i];
                    acc = std::fma(f16_to_f32(block.d[r]) * f16_to_f32(act.d), float(sum), acc);
                }
                y[t * y_stride + 8 * g + r] = acc;
            }
        }
    }
}

void tile_dot_q8_0_x8(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                      int64_t n_tokens, int64_t n) {
    static const bool avx2 = cpu_features().avx2 && cpu_features().fma && cpu_features().f16c;
    static const bool vnni = avx2 && cpu_features().avx512f && cpu_features().avx512vl && cpu_features().avx512_vnni;
    if (vnni)
        tile_dot_q8_0_x8_avx512_vnni(y, y_stride, w, n_groups, a, n_tokens, n);
    else if (avx2)
        tile_dot_q8_0_x8_avx2(y, y_stride, w, n_groups, a, n_tokens, n);
    else
        tile_dot_q8_0_x8_scalar(y, y_stride, w, n_groups, a, n_tokens, n);
}

}  // namespace whale
