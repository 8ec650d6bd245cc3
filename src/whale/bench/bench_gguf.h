// Benchmark models in llama.cpp's `deepseek2` GGUF layout with random weights: the real
// DeepSeek-V2-Lite dimensions (or any DeepseekConfig) with fewer layers, so Whale and llama.cpp can
// be timed on the same file without downloading a checkpoint. Matrices are N(0, 0.02²)-ish (the
// models' initializer_range), norm weights 1, so activations stay finite through every layer.
// Tensor order, names, shapes and per-tensor types are exactly those `whale convert` writes.
// The vocabulary is the minimal one llama.cpp accepts (docs/interfaces/gguf.md,
// 'The deepseek2 architecture'): the 256 GPT-2 byte tokens, unique dummy strings, BOS/EOS as
// control tokens, no merges, pre-tokenizer deepseek-llm.
#pragma once

#include <cstdint>
#include <string>

#include "whale/model/deepseek_v3/config.h"
#include "whale/model/gguf/quant_policy.h"
#include "whale/model/gguf/tensor_stream.h"

namespace whale {

// DeepSeek-V2-Lite's config.json (hidden 2048, 16 heads, no q_lora, kv_lora 512, 64 routed experts
// top-6 + 2 shared, first layer dense with 10944, vocab 102400, YaRN ×40) with `n_layers` layers.
DeepseekConfig v2_lite_bench_config(int n_layers);

// Writes `path` (the caller renames it into place when complete); `name` goes to general.name.
GgufWriteSummary write_bench_gguf(const std::string& path, const std::string& name, const DeepseekConfig& config,
                                  GgufFileType type, uint64_t seed, bool show_progress);

}  // namespace whale
