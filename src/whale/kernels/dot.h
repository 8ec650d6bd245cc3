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

// y[i] += Σ_j alpha[j] · rows[j][i] for j < n_rows: the weighted sum of attention values. Keeps
// each 8-column slice of y in a register across all rows instead of reloading and storing y once
// per row as n_rows axpy calls would.
void axpy_rows_f32_scalar(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32_avx2(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);

}  // namespace whale
