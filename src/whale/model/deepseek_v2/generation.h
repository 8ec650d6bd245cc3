// DeepSeek-V2 and V2-Lite: V3's MLA + MoE network (deepseek_v3/model.h) read by V2's config rules:
// softmax greedy routing that never renormalises, no dense-layer or rope_interleave options, no
// MTP, and llama.cpp's "deepseek-llm" pre-tokenizer in its GGUF files.
#pragma once

#include "whale/model/deepseek_v3/config.h"
#include "whale/model/model_generation.h"

namespace whale {

const DeepseekRules& deepseek_v2_rules();
const ModelGeneration& deepseek_v2_generation();

}  // namespace whale
