// DeepSeek-V3.2 (and V3.2-Speciale) as the registry knows it: V3's config rules plus the
// lightning indexer's fields, its entry, and a cache footprint with the index key.
#pragma once

#include "whale/model/deepseek_v3/config.h"
#include "whale/model/model_generation.h"

namespace whale {

const DeepseekRules& deepseek_v32_rules();
const ModelGeneration& deepseek_v32_generation();

}  // namespace whale
