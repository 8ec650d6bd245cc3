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

}  // namespace whale
