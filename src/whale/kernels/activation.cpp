#include "whale/kernels/activation.h"

#include <limits>

namespace whale {

void swiglu_inplace(float* gate, const float* up, int64_t n) {
    for (int64_t i = 0; i < n; ++i) gate[i] = silu(gate[i]) * up[i];
}

void softmax_inplace(float* x, int64_t n) {
    float max_value = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < n; ++i) max_value = x[i] > max_value ? x[i] : max_value;
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max_value);
        sum += x[i];
    }
    const float inv = float(1.0 / sum);
    for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace whale
