// The dense GQA decoders of the R1 distills as the registry knows them: one entry per
// config.json model_type (qwen2, llama, qwen3), all loaded by DenseGqaModel.
#pragma once

#include "whale/model/model_generation.h"

namespace whale {

const ModelGeneration& qwen2_generation();
const ModelGeneration& llama_generation();
const ModelGeneration& qwen3_generation();

}  // namespace whale
