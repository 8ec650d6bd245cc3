// Block-quantised rows back to f32, bit-exact to ggml's dequantize_row_* reference formulas
// (docs/interfaces/gguf.md, 'Block layouts'): the golden tests compare against gguf-py's numpy
// dequantisers.
#pragma once

#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// out [n] f32 from n / QK8_0 blocks; n a multiple of 32.
void dequantize_row_q8_0(float* out, const BlockQ8_0* blocks, int64_t n);
// out [n] f32 from n / QK_K blocks; n a multiple of 256.
void dequantize_row_q4_k(float* out, const BlockQ4_K* blocks, int64_t n);
void dequantize_row_q6_k(float* out, const BlockQ6_K* blocks, int64_t n);

}  // namespace whale
