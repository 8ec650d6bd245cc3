// Reference quantisers from f32 rows to ggml blocks, following ggml's quantize_row_*_ref algorithms
// (no importance matrix), so files Whale writes quantise like llama.cpp's own reference path.
// Q8_0 also serves as the activation format for Q8_0 weights; Q8_K is the activation format for
// the K-quant dot products and is never stored in files.
#pragma once

#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// x [n] f32 -> out [n / 32] blocks; n a multiple of 32. d = amax / 127, q = roundf(x / d).
void quantize_row_q8_0(BlockQ8_0* out, const float* x, int64_t n);
// Bit-identical AVX2 twin (requires avx2+fma+f16c), for quantising activations once per matmul;
// rounds half away from zero like roundf.
void quantize_row_q8_0_avx2(BlockQ8_0* out, const float* x, int64_t n);
// x [n] f32 -> out [n / 256] blocks; n a multiple of 256. Per 32-value sub-block a weighted
// least-squares fit of scale and min (ggml's make_qkx2_quants), then 6-bit scales and mins.
void quantize_row_q4_k(BlockQ4_K* out, const float* x, int64_t n);
// x [n] f32 -> out [n / 256] blocks; per 16-value group a scale searched around amax/32 (ggml's
// make_qx_quants, weights x²), then 8-bit group scales against one fp16 super-block scale.
void quantize_row_q6_k(BlockQ6_K* out, const float* x, int64_t n);
// x [n] f32 -> out [n / 256] blocks: d = max/-127 for the largest-magnitude value, q in [-127, 127].
void quantize_row_q8_k(BlockQ8_K* out, const float* x, int64_t n);

}  // namespace whale
