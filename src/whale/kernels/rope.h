// Rotary position embedding applied to one head's rope slice, given per-pair cos/sin.
// Two pairings exist (docs/models/rope_yarn.md, 'Rotation pairings'): interleaved (x[2i], x[2i+1]),
// the official DeepSeek layout, and half-split (x[i], x[i + r/2]). Both write results back in the
// same layout they read.
#pragma once

#include <cstdint>

namespace whale {

// x [2 * n_pairs] rotated in place; cos/sin [n_pairs].
void rope_rotate_interleaved(float* x, const float* cos, const float* sin, int64_t n_pairs);
void rope_rotate_half_split(float* x, const float* cos, const float* sin, int64_t n_pairs);

}  // namespace whale
