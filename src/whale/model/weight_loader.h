// Turns checkpoint tensors into the weights the model code uses, checking every name, shape and
// dtype on the way so a bad checkpoint fails at load with a message naming the tensor.
// Weights stay zero-copy views into the mmap'd files where their dtype and alignment allow;
// anything that must be converted (norm vectors, FP8 scales, misaligned data) is owned here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "whale/formats/safetensors/checkpoint.h"
#include "whale/kernels/weight_matrix.h"

namespace whale {

// y = x · weightᵀ (+ bias).
struct Linear {
    WeightMatrix weight;     // [out, in]
    std::vector<float> bias; // [out], empty when the layer has no bias
    int64_t out_features() const { return weight.rows; }
    int64_t in_features() const { return weight.cols; }
};

// Reports bytes of tensor data loaded so far out of the checkpoint's total.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

struct LoadOptions {
    // Touch every page of every weight while loading, so the first forward does not stall on
    // page faults. Only worth it when the weights fit in memory; the engine decides.
    bool prefetch = false;
    // Give Q8_0 matrices (GGUF) an interleaved copy for the matmul kernels (kernels/quant/q8_0_x8.h):
    // faster products, at the cost of holding those weights in anonymous memory as well as in the
    // page cache. The loader skips it when the file does not fit in memory (core/system_memory.h).
    bool interleave_q8_0 = true;
    LoadProgress progress;
};

class WeightLoader {
public:
    WeightLoader(const Checkpoint& checkpoint, LoadOptions options = {})
        : checkpoint_(checkpoint), options_(std::move(options)), total_bytes_(checkpoint.total_bytes()) {}

    bool has(const std::string& name) const { return checkpoint_.contains(name); }

    // `<prefix>.weight` of shape [rows, cols] in F32/F16/BF16, or F8_E4M3 with
    // `<prefix>.weight_scale_inv` [ceil(rows/128), ceil(cols/128)]; plus `<prefix>.bias` [rows] if `bias`.
    Linear linear(const std::string& prefix, int64_t rows, int64_t cols, bool bias = false);
    // A 2-D matrix tensor by full name (the embedding, a fused expert slice source).
    WeightMatrix matrix(const std::string& name, int64_t rows, int64_t cols);
    // A matrix stored inside a 3-D tensor [count, rows, cols] (fused experts): slice `index`.
    WeightMatrix matrix_slice(const std::string& name, int64_t count, int64_t index, int64_t rows, int64_t cols);
    // A 1-D float tensor of length n converted to owned f32.
    std::vector<float> vector(const std::string& name, int64_t n);

    // Total bytes of tensor data loaded so far (what the model keeps resident or mapped).
    uint64_t loaded_bytes() const { return loaded_bytes_; }
    // Owned buffers must outlive every WeightMatrix handed out; the model keeps the loader.
private:
    const TensorView& tensor(const std::string& name, const std::vector<int64_t>& shape);
    const void* aligned_data(const TensorView& view);
    const float* block_scale(const std::string& weight_name, int64_t rows, int64_t cols);

    void account(const TensorView& view);

    const Checkpoint& checkpoint_;
    LoadOptions options_;
    uint64_t total_bytes_ = 0;
    std::vector<std::unique_ptr<float[]>> owned_f32_;
    std::vector<std::unique_ptr<uint64_t[]>> owned_raw_;
    uint64_t loaded_bytes_ = 0;
};

}  // namespace whale
