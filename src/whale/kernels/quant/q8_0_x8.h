// Q8_0 weights re-laid out 8 rows at a time (BlockQ8_0x8, kernels/quant/blocks.h) and the matmul
// kernel that reads them. With plain Q8_0 rows every (row, token) dot product ends in its own
// horizontal sum and per-block float conversions; with 8 rows interleaved one register carries all
// 8 rows, so a 32-value block costs 8 broadcasts and 8 multiply-add steps for 8 rows per token
// (about 1.5x fewer instructions per multiply-add than the 2 × 4 plain tile on AVX2), and decode
// still streams one contiguous array.
// Numerics: per block and (row, token) the integer sum is exact; the float term
// (d_w · d_a) · sum is added with one fused multiply-add in block order. The scalar twin does the
// same, so the SIMD variants are bit-identical to it whatever the row or token tiling.
#pragma once

#include <cstddef>
#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// Bytes of the interleaved copy of the first rows / 8 · 8 rows of a [rows, cols] Q8_0 matrix.
size_t q8_0_x8_bytes(int64_t rows, int64_t cols);

// out [rows / 8 groups, cols / 32 blocks] from w [rows, cols / 32 blocks]; rows % 8 tail rows are
// not copied (callers use the plain rows for them). cols a multiple of 32.
void pack_q8_0_x8(BlockQ8_0x8* out, const BlockQ8_0* w, int64_t rows, int64_t cols);

// y[t * y_stride + 8 g + r] = (row 8 g + r of w) · (token t of a) for g < n_groups, r < 8,
// t < n_tokens. w [n_groups, n / 32] interleaved blocks, a [n_tokens, n / 32] blocks (activations
// from quantize_row_q8_0); n a multiple of 32.
void tile_dot_q8_0_x8_scalar(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                             int64_t n_tokens, int64_t n);
void tile_dot_q8_0_x8_avx2(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                           int64_t n_tokens, int64_t n);  // requires avx2+fma+f16c
void tile_dot_q8_0_x8_avx512_vnni(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups,
                                  const BlockQ8_0* a, int64_t n_tokens, int64_t n);  // those + avx512f+vl+vnni
void tile_dot_q8_0_x8(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups, const BlockQ8_0* a,
                      int64_t n_tokens, int64_t n);

}  // namespace whale
