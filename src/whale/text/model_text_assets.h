// What text needs beside the weights — the tokenizer and the chat format — found for a model given
// as a checkpoint directory or as a single .gguf file. For a .gguf, files next to it
// (tokenizer.json, tokenizer_config.json) win; otherwise the tokenizer and chat template are
// rebuilt from the file's tokenizer.* metadata. The chat format is the model layer's decision
// (config.json's model type may overrule the template), re-exported here for text users.
#pragma once

#include <string>

#include "whale/chat/chat_format.h"
#include "whale/model/chat_format_detection.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

Tokenizer load_model_tokenizer(const std::string& model_path);
// Where a model's companion JSON files live: the checkpoint directory itself, or the directory
// that holds the .gguf file.
std::string model_files_dir(const std::string& model_path);

}  // namespace whale
