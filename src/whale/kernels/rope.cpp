#include "whale/kernels/rope.h"

namespace whale {

void rope_rotate_interleaved(float* x, const float* cos, const float* sin, int64_t n_pairs) {
    for (int64_t i = 0; i < n_pairs; ++i) {
        float a = x[2 * i], b = x[2 * i + 1];
        x[2 * i] = a * cos[i] - b * sin[i];
        x[2 * i + 1] = b * cos[i] + a * sin[i];
    }
}

void rope_rotate_half_split(float* x, const float* cos, const float* sin, int64_t n_pairs) {
    for (int64_t i = 0; i < n_pairs; ++i) {
        float a = x[i], b = x[i + n_pairs];
        x[i] = a * cos[i] - b * sin[i];
        x[i + n_pairs] = b * cos[i] + a * sin[i];
    }
}

}  // namespace whale
