// The metadata of a `deepseek2` GGUF (docs/interfaces/gguf.md, 'The deepseek2 architecture') in
// both directions: DeepseekConfig to llama.cpp's keys (plus `whale.deepseek.*` for what llama.cpp
// has no key for) and back. Reading goes through deepseek_config_from_json on a config.json rebuilt
// from the keys, so a GGUF model is validated by exactly the rules a HF checkpoint is.
#pragma once

#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/deepseek_v3/config.h"
#include "whale/model/gguf/quant_policy.h"

namespace whale {

// general.architecture of the layout, and the key under which Whale's own files keep the Hugging
// Face model_type (llama.cpp's files have none: they are V3-style).
inline constexpr const char* deepseek2_architecture = "deepseek2";
inline constexpr const char* deepseek2_model_type_key = "whale.deepseek.model_type";

// general.*, deepseek2.*, whale.deepseek.* and, when hf_dir has tokenizer.json, tokenizer.ggml.*.
std::vector<GgufKeyValue> deepseek2_metadata(const DeepseekConfig& c, const std::string& hf_dir, GgufFileType type);

// The config of the generation `rules` reads (the registry picks them from the file's model_type).
// Throws whale::Error naming the file and key when a required key is missing or has the wrong type.
DeepseekConfig deepseek_config_from_gguf(const GgufFile& file, const DeepseekRules& rules);

}  // namespace whale
