// A read-only view of a tensor that lives elsewhere (an mmap'd checkpoint or an owned buffer).
// Views never own memory; whoever created the view keeps the backing storage alive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "whale/core/dtype.h"

namespace whale {

struct TensorView {
    std::string name;
    DType dtype = DType::DType_f32;
    std::vector<int64_t> shape;  // row-major, outermost first
    const void* data = nullptr;
    size_t nbytes = 0;

    int64_t numel() const {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
    int rank() const { return int(shape.size()); }
};

// "[576, 7168]" for error messages.
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace whale
