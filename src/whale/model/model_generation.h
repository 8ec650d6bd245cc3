// What one model generation (one config.json model_type) tells the registry: how to load its
// checkpoints, its GGUF layout (read and written), which chat format its files imply, and its
// KV-cache footprint. Each generation's folder defines its entry and registry.cpp lists them, so
// nothing outside that folder and the registry asks which generation a model is.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "whale/chat/chat_format.h"
#include "whale/formats/json/config_fields.h"
#include "whale/model/causal_lm.h"
#include "whale/model/gguf/quant_policy.h"
#include "whale/model/gguf/tensor_stream.h"
#include "whale/model/kv_footprint.h"
#include "whale/model/weight_loader.h"

namespace whale {

// `dir` holds config.json (already read into `config`) and the safetensors.
using CheckpointLoader = std::unique_ptr<CausalLM> (*)(const std::string& dir, const ConfigFields& config,
                                                       const LoadOptions& options);
using GgufLoader = std::unique_ptr<CausalLM> (*)(const std::string& path, const LoadOptions& options);
// `whale convert`: the checkpoint in hf_dir (its config.json read into `config`) to a GGUF file.
using GgufConverter = GgufWriteSummary (*)(const std::string& hf_dir, const ConfigFields& config,
                                           const std::string& out_path, GgufFileType type, bool show_progress);
using KvArchitectureReader = KvArchitecture (*)(const ConfigFields& config);

// How config.json's model type weighs against the chat template in tokenizer_config.json.
struct ChatFormatRule {
    // The format whatever template there is (V3.2 and V4 ship none, early V3.2 repos an older one).
    std::optional<ChatFormat> over_template;
    // The format when tokenizer_config.json has no chat template at all.
    std::optional<ChatFormat> without_template;
};

struct GgufLayout {
    const char* architecture = nullptr;    // general.architecture; null: no GGUF layout
    const char* model_type_key = nullptr;  // where Whale's files keep the Hugging Face model_type
    bool is_default = false;               // the generation a file without that key stands for
    GgufLoader load = nullptr;
    GgufConverter convert = nullptr;
};

struct ModelGeneration {
    const char* model_type;                 // config.json "model_type"
    const char* hf_architecture;            // its entry in config.json "architectures"
    CheckpointLoader load = nullptr;        // null: known to `whale kv` and chat detection, not runnable
    KvArchitectureReader kv_architecture = nullptr;
    ChatFormatRule chat_format;
    GgufLayout gguf;
};

}  // namespace whale
