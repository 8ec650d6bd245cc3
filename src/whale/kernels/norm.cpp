#include "whale/kernels/norm.h"

#include <cmath>

namespace whale {

void rmsnorm(float* out, const float* x, const float* weight, int64_t n, int64_t dim, float eps) {
    for (int64_t t = 0; t < n; ++t) {
        const float* xr = x + t * dim;
        float* yr = out + t * dim;
        // Accumulate the mean square in double: it is the value f32 torch reductions approximate
        // most closely for the short rows of tiny test models and long rows alike.
        double sum_sq = 0.0;
        for (int64_t i = 0; i < dim; ++i) sum_sq += double(xr[i]) * double(xr[i]);
        float inv_rms = 1.0f / std::sqrt(float(sum_sq / double(dim)) + eps);
        for (int64_t i = 0; i < dim; ++i) yr[i] = (weight ? weight[i] : 1.0f) * (xr[i] * inv_rms);
    }
}

}  // namespace whale
