// Dot product of two f32 vectors: the inner loop of every matrix product in the reference path.
// dot_f32 dispatches once to the best variant for this CPU; dot_f32_scalar is the reference twin.
#pragma once

#include <cstdint>

namespace whale {

float dot_f32_scalar(const float* a, const float* b, int64_t n);
float dot_f32_avx2(const float* a, const float* b, int64_t n);  // requires avx2+fma
float dot_f32(const float* a, const float* b, int64_t n);

// y[i] += alpha * x[i]
void axpy_f32_scalar(float* y, float alpha, const float* x, int64_t n);
void axpy_f32_avx2(float* y, float alpha, const float* x, int64_t n);
void axpy_f32(float* y, float alpha, const float* x, int64_t n);

// out[q * out_stride + j] = queries[q] · rows[j] for q < n_queries, j < n_rows, with query q at
// queries + q * query_stride: attention scores of several heads against a block of cached rows.
// Tiles of queries × rows reuse every loaded value several times, where one dot_f32 per pair
// loads two values per multiply-add.
void dot_many_f32_scalar(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                         const float* const* rows, int64_t n_rows, int64_t n);
void dot_many_f32_avx2(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                       const float* const* rows, int64_t n_rows, int64_t n);
void dot_many_f32(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                  const float* const* rows, int64_t n_rows, int64_t n);

// y[i] += Σ_j alpha[j] · rows[j][i] for j < n_rows: the weighted sum of attention values. Keeps
// each 8-column slice of y in a register across all rows instead of reloading and storing y once
// per row as n_rows axpy calls would.
void axpy_rows_f32_scalar(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32_avx2(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);

}  // namespace whale
