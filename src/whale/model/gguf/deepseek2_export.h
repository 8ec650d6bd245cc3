// `whale convert`: a DeepSeek V2 / V2-Lite / V3 / R1 / V3.1 Hugging Face checkpoint to a GGUF of
// llama.cpp's `deepseek2` architecture (docs/interfaces/gguf.md, 'The deepseek2 architecture'): its
// metadata keys and tensor names, kv_b_proj split into attn_k_b (transposed per head) and attn_v_b,
// routed experts stacked into 3-D *_exps tensors, MTP layers skipped. The checkpoint is loaded with
// Whale's own loader (so FP8 weights are dequantised through their block scales) and streamed out
// row by row. Fields llama.cpp has no key for (topk_method, YaRN mscale, ...) are written under
// `whale.deepseek.*` so Whale reloads the exact configuration; llama.cpp ignores them.
#pragma once

#include <string>

#include "whale/model/deepseek_v3/config.h"
#include "whale/model/gguf/quant_policy.h"
#include "whale/model/gguf/tensor_stream.h"

namespace whale {

// `config`: hf_dir's config.json as its generation reads it (registry.h's convert_to_gguf parses it).
GgufWriteSummary convert_deepseek_to_gguf(const std::string& hf_dir, const DeepseekConfig& config,
                                          const std::string& out_path, GgufFileType type, bool show_progress);

}  // namespace whale
