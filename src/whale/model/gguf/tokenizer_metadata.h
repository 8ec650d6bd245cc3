// tokenizer.ggml.* keys for a deepseek2 GGUF from a HF tokenizer.json (+ tokenizer_config.json),
// as llama.cpp's converter writes them (docs/interfaces/tokenizer.md, 'llama.cpp naming'): model
// "gpt2", pre "deepseek-v3" (V3) or "deepseek-llm" (V2), one token string per id up to vocab_size
// (ids the tokenizer does not define become "[PADn]", type 5 unused), types 1 normal / 3 control
// (special added tokens) / 4 user-defined (other added tokens), merges as "left right", bos / eos
// ids, add_bos_token and the chat template. No tokenizer.json: no tokenizer keys.
//
// And back: a tokenizer.json / tokenizer_config.json rebuilt from those keys, so a single .gguf
// (ours or llama.cpp's) carries everything text needs.
#pragma once

#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_file.h"
#include "whale/formats/gguf/gguf_types.h"
#include "whale/model/deepseek_v3/config.h"

namespace whale {

std::vector<GgufKeyValue> tokenizer_metadata(const std::string& hf_dir, const DeepseekConfig& c);

// tokenizer.json text: vocabulary (type 1), added tokens (3 special, 4 not), merges and the
// pre-tokenizer named by tokenizer.ggml.pre. Only "gpt2" byte-level BPE with the "deepseek-v3"
// pre-tokenizer is known exactly; anything else throws naming the key and the way out.
std::string tokenizer_json_from_gguf(const GgufFile& f);
// tokenizer_config.json text: chat_template and add_bos_token where the file has them.
std::string tokenizer_config_json_from_gguf(const GgufFile& f);

}  // namespace whale
