// Elementwise activations and the row softmax used by attention and routing.
#pragma once

#include <cmath>
#include <cstdint>

namespace whale {

inline float silu(float z) { return z / (1.0f + std::exp(-z)); }
inline float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

// gate[i] = silu(gate[i]) * up[i] for i < n: the SwiGLU product, in place into gate.
void swiglu_inplace(float* gate, const float* up, int64_t n);

// In-place softmax of x[n] with the max subtracted first; -inf entries become 0.
void softmax_inplace(float* x, int64_t n);

}  // namespace whale
