// Loading a `deepseek2` GGUF (written by `whale convert` or by llama.cpp's converter) as a
// DeepseekV3Model: the config from its metadata (deepseek2_keys.h), every weight a zero-copy
// WeightMatrix view into the mmap'd file (F32/F16/BF16/Q8_0/Q4_K/Q6_K), experts sliced out of the
// stacked *_exps tensors. The one owned tensor per layer is kv_b_proj, re-joined in f32 from
// attn_k_b (transposed back) and attn_v_b, since MLA wants the HF layout [H·(Dn+Dv), C];
// files with the older single attn_kv_b tensor are read in place.
#pragma once

#include <memory>
#include <string>

#include "whale/model/causal_lm.h"
#include "whale/model/deepseek_v3/config.h"
#include "whale/model/weight_loader.h"

namespace whale {

// `rules`: the generation the file's model_type names (registry.h picks them).
std::unique_ptr<CausalLM> load_deepseek_gguf(const std::string& path, const DeepseekRules& rules,
                                             const LoadOptions& options = {});

}  // namespace whale
