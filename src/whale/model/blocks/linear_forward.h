// Applies a Linear layer to a batch of token rows.
#pragma once

#include "whale/core/thread_pool.h"
#include "whale/model/weight_loader.h"

namespace whale {

// y [n, out] = x [n, in] · Wᵀ (+ b)
void linear_forward(float* y, const float* x, int64_t n, const Linear& layer, ThreadPool& pool);

// y [n, out] += b, for products run through matmul_batch; nothing when the layer has no bias.
void linear_add_bias(float* y, int64_t n, const Linear& layer);

}  // namespace whale
