// DeepSeek-V4 (Flash, Pro) as far as Whale knows it today: its cache footprint (sliding window plus
// compressed entries, architectures spec §12) for `whale kv` and its chat format. Whale cannot run
// V4 yet, so the entry has no loader.
#pragma once

#include "whale/model/model_generation.h"

namespace whale {

const ModelGeneration& deepseek_v4_generation();

}  // namespace whale
