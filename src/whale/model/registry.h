// The generations Whale knows, each one entry (model_generation.h) keyed by config.json's
// `model_type`, and what is decided by asking them: which model class loads a checkpoint or a
// GGUF file, which GGUF layout a checkpoint converts to, and a config's KV-cache footprint.
// Adding a generation = one folder under model/ plus one line in registry.cpp.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/model_generation.h"

namespace whale {

// Loads the model at `model_path` (directory with config.json + safetensors, or a .gguf file).
// Throws whale::Error for an unsupported model_type, listing the supported ones.
std::unique_ptr<CausalLM> load_causal_lm(const std::string& model_path, const LoadOptions& options = {});
// The model types Whale can run (generations with a loader), in registration order.
std::vector<std::string> supported_model_types();
// True when `model_path` names a single .gguf file rather than a checkpoint directory.
bool is_gguf_model_path(const std::string& model_path);

// The entry for a model_type, or null when Whale does not know it.
const ModelGeneration* find_model_generation(const std::string& model_type);
// The entry a config.json names: its model_type, else one of its `architectures`; null if none.
const ModelGeneration* find_config_generation(const nlohmann::json& config);
// The Hugging Face model_type a GGUF file stands for. Throws for an architecture Whale does not read.
std::string gguf_model_type(const GgufFile& file);

// `whale kv` for a model directory's config.json; throws naming model_type when unknown.
KvArchitecture kv_architecture_from_config(const ConfigFields& config);
// `whale convert`: the checkpoint in hf_dir to its generation's GGUF layout.
GgufWriteSummary convert_to_gguf(const std::string& hf_dir, const std::string& out_path, GgufFileType type,
                                 bool show_progress);

}  // namespace whale
