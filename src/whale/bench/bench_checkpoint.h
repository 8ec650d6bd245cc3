// Benchmark checkpoints in the Hugging Face layout (config.json + one bf16 model.safetensors)
// with random weights, for generations Whale reads only from HF checkpoints. The V3.2 shape keeps
// DeepSeek-V3.2's attention exactly (hidden 7168, 128 heads, q_lora 1536, kv_lora 512, qk 128+64,
// v 128) and its lightning indexer (64 heads of 128, top-2048), which is all that decides how
// decode scales with context; vocabulary and FFN are cut (vocab 8192, one dense SwiGLU of width
// 2048 per layer, the width of one expert) so a few layers fit a small machine.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace whale {

// config.json of the V3.2-shaped bench model with `n_layers` layers; with_indexer = false gives
// the same model as deepseek_v3 (dense MLA), for comparing sparse and dense attention.
nlohmann::json v32_bench_config(int n_layers, bool with_indexer);

// Writes dir/config.json and dir/model.safetensors (bf16 matrices ~N(0, 0.02²), norms 1) for a
// deepseek_v3 / deepseek_v32 config whose FFN is dense in every layer. `show_progress` draws a
// bar over the tensors generated.
void write_bench_checkpoint(const std::string& dir, const nlohmann::json& config, uint64_t seed, bool show_progress);

}  // namespace whale
