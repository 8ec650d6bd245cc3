// Dot product of two f32 vectors: the inner loop of every matrix product in the reference path.
// dot_f32 dispatches once to the best variant for this CPU; dot_f32_scalar is the reference twin.
// AVX2 variants live in kernels/x86_avx2/, AVX-512 ones in kernels/x86_avx512/.
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
void dot_many_f32_avx512(float* out, int64_t out_stride, const float* queries, int64_t query_stride,
                         int64_t n_queries, const float* const* rows, int64_t n_rows,
                         int64_t n);  // requires avx2+fma+avx512f
void dot_many_f32(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                  const float* const* rows, int64_t n_rows, int64_t n);

// y[i] += Σ_j alpha[j] · rows[j][i] for j < n_rows: the weighted sum of attention values. Keeps
// each 8-column slice of y in a register across all rows instead of reloading and storing y once
// per row as n_rows axpy calls would.
void axpy_rows_f32_scalar(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32_avx2(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);
void axpy_rows_f32(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n);

// out [n] = x [n] rounded to bf16 as f32_to_bf16 does (nearest even, NaN kept and quieted).
void round_to_bf16_scalar(uint16_t* out, const float* x, int64_t n);
void round_to_bf16_avx512(uint16_t* out, const float* x, int64_t n);  // requires avx2+fma+avx512f+bw
void round_to_bf16(uint16_t* out, const float* x, int64_t n);

// dot_many_f32 for bf16 queries and rows (raw bf16 bits), with f32 sums as AVX-512 BF16's
// VDPBF16PS forms them: 16 lanes, lane l taking the column pairs (32k + 2l, 32k + 2l + 1) for
// k = 0, 1, ..., each as two FMAs (odd column first) that read and write denormals as zero; the
// lanes are then summed in a fixed tree. The scalar twin follows Intel's pseudo-code step by
// step, so the AVX-512 kernel is bit-identical to it. Used by matmul for bf16 weights only where
// the kernel runs natively (dot_many_bf16_is_native): bf16 activations lose precision (a relative
// 2^-9 per value) that the f32 path keeps, worth it only for the speed.
void dot_many_bf16_scalar(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride,
                          int64_t n_queries, const uint16_t* const* rows, int64_t n_rows, int64_t n);
void dot_many_bf16_avx512_bf16(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride,
                               int64_t n_queries, const uint16_t* const* rows, int64_t n_rows,
                               int64_t n);  // requires avx2+fma+avx512f+bw+bf16
void dot_many_bf16(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride, int64_t n_queries,
                   const uint16_t* const* rows, int64_t n_rows, int64_t n);
bool dot_many_bf16_is_native();  // whether dot_many_bf16 runs the AVX-512 BF16 kernel

}  // namespace whale
