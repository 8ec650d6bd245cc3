// Default sampling from a model directory's generation_config.json, as users of transformers
// expect (DeepSeek ships temperature 0.6, top_p 0.95). Command-line flags override it.
#pragma once

#include <optional>
#include <string>

#include "whale/runtime/sampling/sampler.h"

namespace whale {

struct GenerationDefaults {
    SamplerSettings sampler;             // greedy when do_sample is false or absent
    std::optional<int> max_new_tokens;
};

// Missing file: defaults (greedy). A malformed file is an error naming it.
GenerationDefaults generation_defaults_from_model_dir(const std::string& model_dir);
// The same for a checkpoint directory or a .gguf file (its generation_config.json lies beside it).
GenerationDefaults model_generation_defaults(const std::string& model_path);

}  // namespace whale
