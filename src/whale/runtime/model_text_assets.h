// What text needs beside the weights — tokenizer, chat format, default sampling — found for a
// model given as a checkpoint directory or as a single .gguf file. For a .gguf, files next to it
// (tokenizer.json, tokenizer_config.json, generation_config.json) win; otherwise the tokenizer and
// chat template are rebuilt from the file's tokenizer.* metadata.
#pragma once

#include <string>

#include "whale/chat/chat_format.h"
#include "whale/runtime/generation_config.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

Tokenizer load_model_tokenizer(const std::string& model_path);
ChatFormat detect_model_chat_format(const std::string& model_path);
GenerationDefaults model_generation_defaults(const std::string& model_path);

}  // namespace whale
