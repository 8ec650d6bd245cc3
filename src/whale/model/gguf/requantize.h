// `whale quantize`: re-encodes a GGUF's tensors to another file type under the same policy as
// `whale convert` (quant_policy.h), copying every metadata key except general.file_type.
// Tensors whose type does not change are copied byte for byte; the others are dequantised row by
// row to f32 and re-encoded, so quantising an already-quantised file compounds the two errors.
#pragma once

#include <string>

#include "whale/model/gguf/quant_policy.h"
#include "whale/model/gguf/tensor_stream.h"

namespace whale {

GgufWriteSummary requantize_gguf(const std::string& in_path, const std::string& out_path, GgufFileType type,
                                 bool show_progress);

}  // namespace whale
