#include "whale/model/weight_loader.h"

#include <cstring>

#include "whale/core/error.h"

namespace whale {

namespace {

bool is_matrix_dtype(DType t) {
    return t == DType::DType_f32 || t == DType::DType_f16 || t == DType::DType_bf16 || t == DType::DType_f8_e4m3;
}

float scalar_to_f32(const TensorView& view, int64_t i) {
    switch (view.dtype) {
        case DType::DType_f32: {
            float v;
            std::memcpy(&v, static_cast<const uint8_t*>(view.data) + 4 * i, 4);
            return v;
        }
        case DType::DType_bf16:
        case DType::DType_f16: {
            uint16_t v;
            std::memcpy(&v, static_cast<const uint8_t*>(view.data) + 2 * i, 2);
            return view.dtype == DType::DType_bf16 ? bf16_to_f32(v) : f16_to_f32(v);
        }
        case DType::DType_f8_e8m0:
            return e8m0_to_f32(static_cast<const uint8_t*>(view.data)[i]);
        default:
            fail("tensor '", view.name, "': dtype ", dtype_name(view.dtype), " is not a float type (expected F32, BF16, F16)");
    }
}

}  // namespace

const TensorView& WeightLoader::tensor(const std::string& name, const std::vector<int64_t>& shape) {
    const TensorView& view = checkpoint_.get(name);
    WHALE_CHECK(view.shape == shape, checkpoint_.path(), ": tensor '", name, "' has shape ", shape_to_string(view.shape),
                ", expected ", shape_to_string(shape), " from config.json");
    account(view);
    return view;
}

void WeightLoader::account(const TensorView& view) {
    loaded_bytes_ += view.nbytes;
    if (options_.prefetch) {
        // One read per page faults the mapping in now rather than during the first forward.
        const volatile uint8_t* bytes = static_cast<const uint8_t*>(view.data);
        uint8_t sink = 0;
        for (size_t i = 0; i < view.nbytes; i += 4096) sink ^= bytes[i];
        (void)sink;
    }
    if (options_.progress) options_.progress(loaded_bytes_, total_bytes_);
}

const void* WeightLoader::aligned_data(const TensorView& view) {
    size_t alignment = dtype_size(view.dtype);
    if (reinterpret_cast<uintptr_t>(view.data) % alignment == 0) return view.data;
    // Hostile or unusual files can leave tensors misaligned; copy rather than read unaligned.
    auto buffer = std::make_unique<uint64_t[]>((view.nbytes + 7) / 8);
    std::memcpy(buffer.get(), view.data, view.nbytes);
    owned_raw_.push_back(std::move(buffer));
    return owned_raw_.back().get();
}

const float* WeightLoader::block_scale(const std::string& weight_name, int64_t rows, int64_t cols) {
    const std::string scale_name = weight_name + "_scale_inv";
    const int64_t scale_rows = (rows + 127) / 128, scale_cols = (cols + 127) / 128;
    WHALE_CHECK(checkpoint_.contains(scale_name), checkpoint_.path(), ": FP8 tensor '", weight_name,
                "' has no '", scale_name, "' (expected [", scale_rows, ", ", scale_cols, "] block scales)");
    const TensorView& view = tensor(scale_name, {scale_rows, scale_cols});
    auto scales = std::make_unique<float[]>(size_t(scale_rows * scale_cols));
    for (int64_t i = 0; i < scale_rows * scale_cols; ++i) scales[size_t(i)] = scalar_to_f32(view, i);
    owned_f32_.push_back(std::move(scales));
    return owned_f32_.back().get();
}

WeightMatrix WeightLoader::matrix(const std::string& name, int64_t rows, int64_t cols) {
    const TensorView& view = tensor(name, {rows, cols});
    WHALE_CHECK(is_matrix_dtype(view.dtype), checkpoint_.path(), ": tensor '", name, "' has dtype ",
                dtype_name(view.dtype), ", expected F32, F16, BF16 or F8_E4M3");
    WeightMatrix w;
    w.dtype = view.dtype;
    w.rows = rows;
    w.cols = cols;
    w.data = aligned_data(view);
    if (view.dtype == DType::DType_f8_e4m3) {
        w.block_scale = block_scale(name, rows, cols);
        w.block_scale_cols = (cols + 127) / 128;
    }
    return w;
}

WeightMatrix WeightLoader::matrix_slice(const std::string& name, int64_t count, int64_t index, int64_t rows,
                                        int64_t cols) {
    const TensorView& view = checkpoint_.get(name);
    WHALE_CHECK(view.shape == std::vector<int64_t>({count, rows, cols}), checkpoint_.path(), ": tensor '", name,
                "' has shape ", shape_to_string(view.shape), ", expected ", shape_to_string({count, rows, cols}));
    WHALE_CHECK(view.dtype == DType::DType_f32 || view.dtype == DType::DType_f16 || view.dtype == DType::DType_bf16,
                checkpoint_.path(), ": fused tensor '", name, "' has dtype ", dtype_name(view.dtype),
                ", expected F32, F16 or BF16");
    if (index == 0) account(view);
    WeightMatrix w;
    w.dtype = view.dtype;
    w.rows = rows;
    w.cols = cols;
    const uint8_t* base = static_cast<const uint8_t*>(aligned_data(view));
    w.data = base + index * rows * cols * int64_t(dtype_size(view.dtype));
    return w;
}

Linear WeightLoader::linear(const std::string& prefix, int64_t rows, int64_t cols, bool bias) {
    Linear layer;
    layer.weight = matrix(prefix + ".weight", rows, cols);
    if (bias) layer.bias = vector(prefix + ".bias", rows);
    return layer;
}

std::vector<float> WeightLoader::vector(const std::string& name, int64_t n) {
    const TensorView& view = tensor(name, {n});
    std::vector<float> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out[size_t(i)] = scalar_to_f32(view, i);
    return out;
}

}  // namespace whale
