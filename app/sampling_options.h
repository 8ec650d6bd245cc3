// Sampling flags shared by generate, run and chat. Unset flags fall back to the model's
// generation_config.json, then to greedy.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "whale/runtime/sampling/sampler.h"

namespace whale::app {

struct SamplingFlags {
    std::optional<float> temperature, top_p, min_p, repetition_penalty, presence_penalty, frequency_penalty;
    std::optional<int> top_k;
    std::optional<uint64_t> seed;
    std::vector<std::string> logit_bias;  // "ID=BIAS" items
};

void add_sampling_options(CLI::App* cmd, SamplingFlags& flags);
SamplerSettings resolve_sampling(const SamplingFlags& flags, const SamplerSettings& defaults);

}  // namespace whale::app
