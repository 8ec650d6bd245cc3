// All weights of a qwen2 / llama / qwen3 checkpoint, by HF name. Shapes use the legend in config.h.
#pragma once

#include <vector>

#include "whale/model/blocks/gqa_attention.h"
#include "whale/model/blocks/swiglu_ffn.h"
#include "whale/model/dense_gqa/config.h"

namespace whale {

struct DenseLayerWeights {
    std::vector<float> input_layernorm;          // [D]
    GqaWeights self_attn;
    std::vector<float> post_attention_layernorm; // [D]
    SwigluWeights mlp;                           // width I
};

struct DenseGqaWeights {
    WeightMatrix embed_tokens;                   // [V, D]
    std::vector<DenseLayerWeights> layers;       // num_hidden_layers
    std::vector<float> norm;                     // [D]
    WeightMatrix lm_head;                        // [V, D]; the embedding itself when tied
};

GqaShape gqa_shape(const DenseGqaConfig& c);

DenseGqaWeights load_dense_gqa_weights(WeightLoader& loader, const DenseGqaConfig& c);

}  // namespace whale
