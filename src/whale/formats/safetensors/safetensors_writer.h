// Writes a .safetensors file the way the reference writer does (8-byte aligned header, tensors
// ordered by name), used for `whale logits -o` and by tests that build hostile checkpoints.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "whale/core/tensor_view.h"

namespace whale {

// Each view's data/nbytes is copied out; views must describe contiguous row-major data.
void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace whale
