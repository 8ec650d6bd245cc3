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

// general.*, deepseek2.*, whale.deepseek.* and, when hf_dir has tokenizer.json, tokenizer.ggml.*.
std::vector<GgufKeyValue> deepseek2_metadata(const DeepseekConfig& c, const std::string& hf_dir, GgufFileType type);

// Throws whale::Error naming the file and key when a required key is missing or has the wrong type.
DeepseekConfig deepseek_config_from_gguf(const GgufFile& file);

}  // namespace whale
