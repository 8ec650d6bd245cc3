// A linear layer's weight as the kernels see it: [rows = out_features, cols = in_features],
// row-major, in its checkpoint dtype, with optional 128x128 block scales (DeepSeek FP8).
// ggml block-quantised rows (Q8_0, Q4_K, Q6_K) carry their scales inside the blocks, so a row is
// cols / block_elems blocks and cols must be a multiple of the block size.
// Kernels dequantise rows on the fly so weights stay in their compact form in memory.
#pragma once

#include <cstdint>

#include "whale/core/dtype.h"
#include "whale/kernels/quant/blocks.h"

namespace whale {

struct WeightMatrix {
    DType dtype = DType::DType_f32;  // f32, f16, bf16, f8_e4m3, q8_0, q4_k or q6_k
    int64_t rows = 0;
    int64_t cols = 0;
    const void* data = nullptr;             // [rows, cols] of dtype
    const float* block_scale = nullptr;     // f8_e4m3 only: [ceil(rows/128), ceil(cols/128)] f32
    int64_t block_scale_cols = 0;           // ceil(cols / 128)
    // q8_0 only, optional: the first rows / 8 · 8 rows again, interleaved 8 at a time
    // [rows / 8, cols / 32] (kernels/quant/q8_0_x8.h), which matmul prefers; owned by the loader.
    const BlockQ8_0x8* q8_0_x8 = nullptr;
    static constexpr int64_t block_size = 128;

    bool empty() const { return data == nullptr; }
    int64_t row_bytes() const { return dtype_row_bytes(dtype, cols); }
    int64_t bytes() const;  // bytes of weight data (plus scales) read by one full pass
};

// Row `row` of w as f32: out[cols].
void weight_dequantize_row(float* out, const WeightMatrix& w, int64_t row);

// A sub-range of rows of w, still pointing into w's storage. row_begin must be a multiple of 128
// for block-scaled weights so the scale grid stays aligned. The interleaved Q8_0 copy carries over
// when row_begin is a multiple of 8 (it then covers the slice's first n_rows / 8 groups).
WeightMatrix weight_row_slice(const WeightMatrix& w, int64_t row_begin, int64_t n_rows);

}  // namespace whale
