// RMSNorm with f32 statistics (docs/models/deepseek_v3.md, 'RMSNorm').
#pragma once

#include <cstdint>

namespace whale {

// out[n, dim] = weight ⊙ x / sqrt(mean(x²) + eps), row by row; out may alias x.
// weight [dim] f32, or nullptr for the unweighted form.
void rmsnorm(float* out, const float* x, const float* weight, int64_t n, int64_t dim, float eps);

}  // namespace whale
