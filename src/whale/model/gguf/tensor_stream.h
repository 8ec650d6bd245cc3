// Writing a GGUF one row at a time: each output tensor is described by its name, ggml shape and
// type plus a function producing any of its rows as f32, so a converter holds one row (not one
// tensor) in memory. Shared by `whale convert` (rows from a HF checkpoint) and `whale quantize`
// (rows from another GGUF). Draws a progress bar and returns what a summary line needs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_types.h"
#include "whale/kernels/weight_matrix.h"

namespace whale {

struct RowTensor {
    std::string name;
    std::vector<int64_t> ne;  // ggml order: ne[0] = row length
    DType type = DType::DType_f32;
    std::function<void(int64_t row, float* out)> row;  // out [ne[0]]; rows = product of ne[1..]
    const void* raw = nullptr;  // when set, bytes copied verbatim instead of calling `row`
};

// A RowTensor whose rows are the rows of w (any dtype weight_dequantize_row reads).
std::function<void(int64_t, float*)> matrix_rows(const WeightMatrix& w);

struct GgufWriteSummary {
    int64_t n_tensors = 0;
    int64_t n_values = 0;      // weights written
    uint64_t tensor_bytes = 0; // bytes of tensor data
    uint64_t file_bytes = 0;
    double bits_per_weight() const { return n_values ? 8.0 * double(tensor_bytes) / double(n_values) : 0.0; }
};

// Writes `metadata` and `tensors` to `path`. `show_progress` draws a bar on a terminal.
GgufWriteSummary write_gguf_rows(const std::string& path, const std::vector<GgufKeyValue>& metadata,
                                 const std::vector<RowTensor>& tensors, bool show_progress);

}  // namespace whale
