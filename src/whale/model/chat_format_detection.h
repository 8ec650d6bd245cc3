// Which chat format a model's files select: config.json's model type through its generation's
// registry entry (V3.2 and V4 decide over any template; V3 without a template is V3), otherwise
// the chat template in tokenizer_config.json (chat/chat_format.h). A .gguf file is read through
// the companion files beside it, else its own model type and tokenizer.* metadata.
#pragma once

#include <string>

#include "whale/chat/chat_format.h"

namespace whale {

// `model_path`: a checkpoint directory or a .gguf file. Throws naming the files when nothing
// identifies a DeepSeek chat format.
ChatFormat detect_model_chat_format(const std::string& model_path);

// The same decision from already-read contents; either may be empty. `source` names them in errors.
ChatFormat detect_chat_format_from(const std::string& config_json, const std::string& tokenizer_config_json,
                                   const std::string& source);

}  // namespace whale
