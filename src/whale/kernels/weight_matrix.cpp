#include "whale/kernels/weight_matrix.h"

#include "whale/core/error.h"
#include "whale/kernels/quant/dequantize.h"

namespace whale {

namespace {

// Start of row `row` of a block-quantised weight (rows are whole blocks, so this is block-aligned).
const void* quant_row(const WeightMatrix& w, int64_t row) {
    return static_cast<const uint8_t*>(w.data) + row * w.row_bytes();
}

}  // namespace

int64_t WeightMatrix::bytes() const {
    int64_t n = rows * row_bytes();
    if (block_scale) n += ((rows + block_size - 1) / block_size) * block_scale_cols * int64_t(sizeof(float));
    return n;
}

void weight_dequantize_row(float* out, const WeightMatrix& w, int64_t row) {
    const int64_t cols = w.cols;
    switch (w.dtype) {
        case DType::DType_f32: {
            const float* src = static_cast<const float*>(w.data) + row * cols;
            for (int64_t k = 0; k < cols; ++k) out[k] = src[k];
            return;
        }
        case DType::DType_bf16: {
            const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * cols;
            for (int64_t k = 0; k < cols; ++k) out[k] = bf16_to_f32(src[k]);
            return;
        }
        case DType::DType_f16: {
            const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * cols;
            for (int64_t k = 0; k < cols; ++k) out[k] = f16_to_f32(src[k]);
            return;
        }
        case DType::DType_f8_e4m3: {
            const uint8_t* src = static_cast<const uint8_t*>(w.data) + row * cols;
            const float* scales = w.block_scale + (row / WeightMatrix::block_size) * w.block_scale_cols;
            for (int64_t k = 0; k < cols; ++k) out[k] = e4m3_to_f32(src[k]) * scales[k / WeightMatrix::block_size];
            return;
        }
        case DType::DType_q8_0:
            dequantize_row_q8_0(out, static_cast<const BlockQ8_0*>(quant_row(w, row)), cols);
            return;
        case DType::DType_q4_k:
            dequantize_row_q4_k(out, static_cast<const BlockQ4_K*>(quant_row(w, row)), cols);
            return;
        case DType::DType_q6_k:
            dequantize_row_q6_k(out, static_cast<const BlockQ6_K*>(quant_row(w, row)), cols);
            return;
        default:
            fail("weight_dequantize_row: unsupported weight dtype ", dtype_name(w.dtype));
    }
}

WeightMatrix weight_row_slice(const WeightMatrix& w, int64_t row_begin, int64_t n_rows) {
    WHALE_CHECK(row_begin >= 0 && n_rows >= 0 && row_begin + n_rows <= w.rows, "weight_row_slice: rows [",
                row_begin, ", ", row_begin + n_rows, ") outside [0, ", w.rows, ")");
    WeightMatrix slice = w;
    slice.rows = n_rows;
    slice.data = static_cast<const uint8_t*>(w.data) + row_begin * w.row_bytes();
    if (w.block_scale) {
        WHALE_CHECK(row_begin % WeightMatrix::block_size == 0,
                    "weight_row_slice: block-scaled slice must start on a 128-row boundary, got ", row_begin);
        slice.block_scale = w.block_scale + (row_begin / WeightMatrix::block_size) * w.block_scale_cols;
    }
    slice.q8_0_x8 = w.q8_0_x8 && row_begin % 8 == 0 ? w.q8_0_x8 + row_begin / 8 * (w.cols / QK8_0) : nullptr;
    return slice;
}

}  // namespace whale
