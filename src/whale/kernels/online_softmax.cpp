#include "whale/kernels/online_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "whale/kernels/dot.h"

namespace whale {

void online_softmax_begin(float* out, float* max_score, float* sum, int64_t dv) {
    std::fill(out, out + dv, 0.0f);
    *max_score = -std::numeric_limits<float>::infinity();
    *sum = 0.0f;
}

void online_softmax_add_tile(float* out, float* max_score, float* sum, float* scores, const float* const* values,
                             int64_t n_keys, int64_t dv) {
    float new_max = *max_score;
    for (int64_t j = 0; j < n_keys; ++j) new_max = std::max(new_max, scores[j]);
    if (new_max == -std::numeric_limits<float>::infinity()) return;
    // exp(-inf - finite) = 0 on the first unmasked tile, where out and sum are still 0 anyway.
    const float rescale = std::exp(*max_score - new_max);
    if (rescale != 1.0f) {
        for (int64_t i = 0; i < dv; ++i) out[i] *= rescale;
        *sum *= rescale;
    }
    *max_score = new_max;
    float tile_sum = 0.0f;
    for (int64_t j = 0; j < n_keys; ++j) {
        scores[j] = std::exp(scores[j] - new_max);
        tile_sum += scores[j];
    }
    *sum += tile_sum;
    axpy_rows_f32(out, scores, values, n_keys, dv);
}

void online_softmax_finish(float* out, float sum, int64_t dv) {
    const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
    for (int64_t i = 0; i < dv; ++i) out[i] *= inv;
}

}  // namespace whale
