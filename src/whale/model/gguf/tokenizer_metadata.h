// tokenizer.ggml.* keys for a deepseek2 GGUF from a HF tokenizer.json (+ tokenizer_config.json),
// as llama.cpp's converter writes them (interfaces spec §1.7, §4.5): model "gpt2", pre
// "deepseek-v3" (V3) or "deepseek-llm" (V2), one token string per id up to vocab_size (ids the
// tokenizer does not define become "[PADn]", type 5 unused), types 1 normal / 3 control (special
// added tokens) / 4 user-defined (other added tokens), merges as "left right", bos / eos ids,
// add_bos_token and the chat template. No tokenizer.json: no tokenizer keys.
#pragma once

#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_types.h"
#include "whale/model/deepseek_v3/config.h"

namespace whale {

std::vector<GgufKeyValue> tokenizer_metadata(const std::string& hf_dir, const DeepseekConfig& c);

}  // namespace whale
