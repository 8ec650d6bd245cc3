// Online softmax (flash attention): one query's attention is accumulated over key tiles, keeping a
// running max, a running sum of exponentials and an unnormalised output, so no full score row
// (nor every expanded key/value) is ever held. Rescaling by exp(old max - new max) when the max
// grows makes the result equal a softmax over all keys at once, up to rounding.
#pragma once

#include <cstdint>

namespace whale {

// One query's running state before the first tile: out [dv] = 0, max = -inf, sum = 0.
void online_softmax_begin(float* out, float* max_score, float* sum, int64_t dv);

// Adds one tile of keys: scores [n_keys] are the scaled scores, -inf for masked keys (overwritten
// with their weights exp(score - max)); values[j] is key j's value row [dv]. A tile whose keys
// are all masked (and all masked tiles before it) leaves the state untouched rather than producing
// exp(-inf - -inf) = NaN.
void online_softmax_add_tile(float* out, float* max_score, float* sum, float* scores, const float* const* values,
                             int64_t n_keys, int64_t dv);

// out [dv] /= sum: the normalised attention output. A query that saw no unmasked key gets zeros.
void online_softmax_finish(float* out, float sum, int64_t dv);

}  // namespace whale
