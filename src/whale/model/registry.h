// Maps a checkpoint's config.json `model_type` to the generation that implements it.
// Adding a generation = one folder under model/ plus one line in registry.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "whale/model/causal_lm.h"
#include "whale/model/weight_loader.h"

namespace whale {

// Loads the model at `model_path` (directory with config.json + safetensors, or a deepseek2 .gguf file).
// Throws whale::Error for an unsupported model_type, listing the supported ones.
std::unique_ptr<CausalLM> load_causal_lm(const std::string& model_path, const LoadOptions& options = {});
std::vector<std::string> supported_model_types();
// True when `model_path` names a single .gguf file rather than a checkpoint directory.
bool is_gguf_model_path(const std::string& model_path);

}  // namespace whale
