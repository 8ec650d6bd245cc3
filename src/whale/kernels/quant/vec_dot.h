// Dot products of one quantised weight row with an activation vector quantised on the fly, the
// llama.cpp vec_dot_q*_q8_* approach: the activation is quantised once per token to int8 blocks
// (Q8_0 per 32 values for Q8_0 weights, Q8_K per 256 for the K-quants), the inner loop is an
// integer dot product, and only the per-block result is scaled in float.
// Each kernel has a scalar reference twin and an AVX2 variant (kernels/x86_avx2/), the K-quants
// also an AVX-512 VNNI one (kernels/x86_avx512/, bit-identical to the scalar twin); the unsuffixed
// name dispatches once on cpu_features().
#pragma once

#include <cstddef>
#include <cstdint>

#include "whale/core/dtype.h"
#include "whale/kernels/quant/blocks.h"

namespace whale {

// w [n / 32] blocks, a [n / 32] blocks; n a multiple of 32.
float vec_dot_q8_0_q8_0_scalar(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n);
float vec_dot_q8_0_q8_0_avx2(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n);  // requires avx2+fma
float vec_dot_q8_0_q8_0(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n);

// A Q8_0 weight row against an f32 vector, for small products whose activations should not be
// rounded to int8 (absorbed MLA's per-head k_b / v_b): w [n / 32] blocks, x [n]; n a multiple of 32.
float vec_dot_q8_0_f32_scalar(const BlockQ8_0* w, const float* x, int64_t n);
float vec_dot_q8_0_f32_avx2(const BlockQ8_0* w, const float* x, int64_t n);
float vec_dot_q8_0_f32(const BlockQ8_0* w, const float* x, int64_t n);

// w [n / 256] blocks, a [n / 256] blocks; n a multiple of 256.
float vec_dot_q4_k_q8_k_scalar(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q4_k_q8_k_avx2(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n);
// requires avx2+fma+f16c+avx512f+bw+vnni, as the Q6_K one
float vec_dot_q4_k_q8_k_avx512_vnni(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q4_k_q8_k(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n);

float vec_dot_q6_k_q8_k_scalar(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q6_k_q8_k_avx2(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q6_k_q8_k_avx512_vnni(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q6_k_q8_k(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n);

// The same three, chosen by the weight's dtype (q8_0, q4_k or q6_k), for code that holds a
// WeightMatrix. The activation buffer holds quant_activation_bytes(weight_dtype, n) bytes,
// aligned for float (Q8_K blocks start with a float).
size_t quant_activation_bytes(DType weight_dtype, int64_t n);
// out: the activation blocks matching weight_dtype; x [n] f32.
void quantize_activation(void* out, DType weight_dtype, const float* x, int64_t n);
// w_row: one row of n values in weight_dtype; activation: from quantize_activation.
float vec_dot_quant(DType weight_dtype, const void* w_row, const void* activation, int64_t n);

}  // namespace whale
