#include "whale/kernels/matmul.h"

#include <vector>

#include "whale/kernels/dot.h"

namespace whale {

namespace {

// Returns row `row` of w as f32, either in place (f32 weights) or dequantised into `scratch`.
const float* weight_row_f32(const WeightMatrix& w, int64_t row, float* scratch) {
    if (w.dtype == DType::DType_f32) return static_cast<const float*>(w.data) + row * w.cols;
    weight_dequantize_row(scratch, w, row);
    return scratch;
}

}  // namespace

void matmul(float* y, const float* x, int64_t n_tokens, const WeightMatrix& w, ThreadPool& pool) {
    const int64_t rows = w.rows, cols = w.cols;
    pool.parallel_for(rows, [&](int64_t row_begin, int64_t row_end) {
        std::vector<float> scratch(size_t(w.dtype == DType::DType_f32 ? 0 : cols));
        for (int64_t r = row_begin; r < row_end; ++r) {
            const float* wr = weight_row_f32(w, r, scratch.data());
            for (int64_t t = 0; t < n_tokens; ++t) y[t * rows + r] = dot_f32(x + t * cols, wr, cols);
        }
    });
}

void matvec_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end) {
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
