// Matrix products against checkpoint weights, f32 activations, f32 accumulation.
#pragma once

#include <cstdint>

#include "whale/core/thread_pool.h"
#include "whale/kernels/weight_matrix.h"

namespace whale {

// y = x · wᵀ: y [n_tokens, w.rows] f32, x [n_tokens, w.cols] f32. Threads split the weight rows,
// so each weight row is dequantised once and reused for every token.
void matmul(float* y, const float* x, int64_t n_tokens, const WeightMatrix& w, ThreadPool& pool);

// Single-threaded y = x · wᵀ for one token over rows [row_begin, row_end) of w:
// y [row_end - row_begin], x [w.cols].
void matvec_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end);

// Single-threaded y = x · w[row_begin:row_end, :] (the transposed product over a row block):
// y [w.cols] (overwritten), x [row_end - row_begin].
void matvec_transposed_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin,
                            int64_t row_end);

}  // namespace whale
