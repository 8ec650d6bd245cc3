// Many Q8_0 dot products at once: every row of a block of weight rows against every token of a
// block of activations, the inner loop of the quantised matmul. Working on a tile of rows × tokens
// loads each weight block once per tile instead of once per token (prefill), and each activation
// block once per group of rows (decode); each (row, token) sum is accumulated in block order in
// one accumulator, so the result does not depend on how rows and tokens are tiled.
// Scalar reference twin, AVX2 variant (kernels/x86_avx2/), AVX-512 VNNI variant
// (kernels/x86_avx512/, bit-identical to the AVX2 one), and a dispatcher.
#pragma once

#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// y[t * y_stride + r] = w row r · a token t for r < n_rows, t < n_tokens.
// w [n_rows, n / 32] blocks, a [n_tokens, n / 32] blocks (the activations from quantize_row_q8_0);
// n a multiple of 32.
void tile_dot_q8_0_scalar(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                          int64_t n_tokens, int64_t n);
void tile_dot_q8_0_avx2(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                        int64_t n_tokens, int64_t n);  // requires avx2+fma+f16c
void tile_dot_q8_0_avx512_vnni(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                               int64_t n_tokens, int64_t n);  // requires those + avx512f+vl+vnni
void tile_dot_q8_0(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows, const BlockQ8_0* a,
                   int64_t n_tokens, int64_t n);

}  // namespace whale
