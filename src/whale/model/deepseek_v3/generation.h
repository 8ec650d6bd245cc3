// DeepSeek-V3 (V3, R1, V3.1) as the registry knows it: its config.json rules and its entry. Also
// the MLA cache footprint that the V2 and V3.2 entries share.
#pragma once

#include "whale/model/deepseek_v3/config.h"
#include "whale/model/model_generation.h"

namespace whale {

const DeepseekRules& deepseek_v3_rules();
const ModelGeneration& deepseek_v3_generation();

// Latent + rope key per layer per token, from config.json's MLA fields.
KvArchitecture deepseek_mla_kv_architecture(const ConfigFields& config);

}  // namespace whale
