#include "whale/kernels/matmul.h"

#include <vector>

#include "whale/core/error.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/quant/vec_dot.h"

namespace whale {

namespace {

// Returns row `row` of w as f32, either in place (f32 weights) or dequantised into `scratch`.
const float* weight_row_f32(const WeightMatrix& w, int64_t row, float* scratch) {
    if (w.dtype == DType::DType_f32) return static_cast<const float*>(w.data) + row * w.cols;
    weight_dequantize_row(scratch, w, row);
    return scratch;
}

// Activations of n_tokens tokens quantised to the int8 blocks that pair with a block-quantised
// weight (Q8_0 for Q8_0, Q8_K for the K-quants), done once so every weight row reuses them.
class QuantizedActivations {
public:
    // x [n_tokens, w.cols] f32
    QuantizedActivations(const WeightMatrix& w, const float* x, int64_t n_tokens)
        : token_bytes_(quant_activation_bytes(w.dtype, w.cols)) {
        WHALE_CHECK(w.cols % dtype_block_elems(w.dtype) == 0, "matmul: ", dtype_name(w.dtype), " weight with ",
                    w.cols, " columns, expected a multiple of ", dtype_block_elems(w.dtype));
        // float storage keeps Q8_K blocks (which start with a float) aligned.
        storage_.resize((size_t(n_tokens) * token_bytes_ + sizeof(float) - 1) / sizeof(float));
        uint8_t* base = reinterpret_cast<uint8_t*>(storage_.data());
        for (int64_t t = 0; t < n_tokens; ++t)
            quantize_activation(base + size_t(t) * token_bytes_, w.dtype, x + t * w.cols, w.cols);
    }
    const void* token(int64_t t) const {
        return reinterpret_cast<const uint8_t*>(storage_.data()) + size_t(t) * token_bytes_;
    }

private:
    size_t token_bytes_;
    std::vector<float> storage_;
};

// The quantised path for weight rows [row_begin, row_end): y[t * y_stride + (r - row_begin)] for
// token t and row r, so y points at the first output column this call owns.
void matmul_quant_rows(float* y, int64_t y_stride, const QuantizedActivations& activations, int64_t n_tokens,
                       const WeightMatrix& w, int64_t row_begin, int64_t row_end) {
    const uint8_t* data = static_cast<const uint8_t*>(w.data);
    const int64_t row_bytes = w.row_bytes();
    for (int64_t r = row_begin; r < row_end; ++r)
        for (int64_t t = 0; t < n_tokens; ++t)
            y[t * y_stride + r - row_begin] = vec_dot_quant(w.dtype, data + r * row_bytes, activations.token(t), w.cols);
}

}  // namespace

void matmul(float* y, const float* x, int64_t n_tokens, const WeightMatrix& w, ThreadPool& pool) {
    const int64_t rows = w.rows, cols = w.cols;
    if (dtype_is_quantized(w.dtype)) {
        QuantizedActivations activations(w, x, n_tokens);
        pool.parallel_for(rows, [&](int64_t row_begin, int64_t row_end) {
            matmul_quant_rows(y + row_begin, rows, activations, n_tokens, w, row_begin, row_end);
        });
        return;
    }
    pool.parallel_for(rows, [&](int64_t row_begin, int64_t row_end) {
        std::vector<float> scratch(size_t(w.dtype == DType::DType_f32 ? 0 : cols));
        for (int64_t r = row_begin; r < row_end; ++r) {
            const float* wr = weight_row_f32(w, r, scratch.data());
            for (int64_t t = 0; t < n_tokens; ++t) y[t * rows + r] = dot_f32(x + t * cols, wr, cols);
        }
    });
}

void matvec_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end) {
    if (dtype_is_quantized(w.dtype)) {
        QuantizedActivations activations(w, x, 1);
        matmul_quant_rows(y, 0, activations, 1, w, row_begin, row_end);
        return;
    }
    std::vector<float> scratch(size_t(w.dtype == DType::DType_f32 ? 0 : w.cols));
    for (int64_t r = row_begin; r < row_end; ++r)
        y[r - row_begin] = dot_f32(x, weight_row_f32(w, r, scratch.data()), w.cols);
}

void matvec_transposed_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin,
                            int64_t row_end) {
    std::vector<float> scratch(size_t(w.dtype == DType::DType_f32 ? 0 : w.cols));
    for (int64_t k = 0; k < w.cols; ++k) y[k] = 0.0f;
    for (int64_t r = row_begin; r < row_end; ++r)
        axpy_f32(y, x[r - row_begin], weight_row_f32(w, r, scratch.data()), w.cols);
}

}  // namespace whale
