// Matrix products against checkpoint weights, f32 activations, f32 accumulation.
#pragma once

#include <cstdint>

#include "whale/core/thread_pool.h"
#include "whale/kernels/weight_matrix.h"

namespace whale {

// One product of a batch: y [n_tokens, w->rows] = x [n_tokens, w->cols] · wᵀ.
struct MatmulJob {
    float* y;
    const float* x;
    int64_t n_tokens;
    const WeightMatrix* w;
};

// Runs every job in one thread-pool dispatch. Threads take chunks of weight rows from all jobs
// as they finish earlier ones, so a set of small products (gate and up, a token's six experts)
// keeps every thread busy and costs one dispatch, and a thread slowed by another process does not
// hold the others up. Block-quantised weights read activations quantised once per job (shared by
// jobs with the same x); each weight chunk is read once for all of its job's tokens.
void matmul_batch(const MatmulJob* jobs, int64_t n_jobs, ThreadPool& pool);

// y = x · wᵀ: y [n_tokens, w.rows] f32, x [n_tokens, w.cols] f32; matmul_batch with one job.
void matmul(float* y, const float* x, int64_t n_tokens, const WeightMatrix& w, ThreadPool& pool);

// Floats of scratch matvec_rows and matvec_transposed_rows need for w (0 for f32 weights). The
// caller provides it, one slice per thread, so that pool workers running these allocate nothing.
int64_t matvec_scratch_floats(const WeightMatrix& w);

// Single-threaded y = x · wᵀ for one token over rows [row_begin, row_end) of w:
// y [row_end - row_begin], x [w.cols], scratch [matvec_scratch_floats(w)]. Same kernels, so
// identical to the matching matmul rows (for a Q8_0 weight with an interleaved copy: when
// row_begin is a multiple of 8).
void matvec_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end, float* scratch);

// Single-threaded y = x · w[row_begin:row_end, :] (the transposed product over a row block):
// y [w.cols] (overwritten), x [row_end - row_begin], scratch [matvec_scratch_floats(w)].
void matvec_transposed_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end,
                            float* scratch);

}  // namespace whale
