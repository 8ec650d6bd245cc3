// All weights of a DeepSeek V2/V3 checkpoint, by HF name (docs/models/deepseek_v3.md,
// 'Checkpoint tensor names'). Shapes use the legend in config.h.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "whale/model/blocks/mla_attention.h"
#include "whale/model/blocks/moe_ffn.h"
#include "whale/model/blocks/swiglu_ffn.h"
#include "whale/model/deepseek_v3/config.h"

namespace whale {

struct DecoderLayerWeights {
    std::vector<float> input_layernorm;          // [D]
    MlaWeights self_attn;
    std::vector<float> post_attention_layernorm; // [D]
    bool is_moe = false;
    SwigluWeights mlp;                           // dense layers: width I
    MoeWeights moe;                              // MoE layers
};

// The multi-token-prediction module stored as layer num_hidden_layers (docs/models/deepseek_v3.md,
// 'The MTP layer').
struct MtpWeights {
    std::vector<float> enorm;                    // [D]
    std::vector<float> hnorm;                    // [D]
    Linear eh_proj;                              // [D, 2D]: embedding half first, hidden half second
    std::vector<float> shared_head_norm;         // [D]
    std::optional<WeightMatrix> shared_head;     // [V, D], when stored (else the main lm_head)
    std::optional<WeightMatrix> embed_tokens;    // [V, D], when stored (else the main embedding)
    DecoderLayerWeights layer;
};

struct DeepseekWeights {
    WeightMatrix embed_tokens;                   // [V, D]
    std::vector<DecoderLayerWeights> layers;     // num_hidden_layers
    std::vector<float> norm;                     // [D]
    WeightMatrix lm_head;                        // [V, D]
    std::optional<MtpWeights> mtp;
};

MlaShape mla_shape(const DeepseekConfig& c);
RouterSettings router_settings(const DeepseekConfig& c);

DeepseekWeights load_deepseek_weights(WeightLoader& loader, const DeepseekConfig& c);

}  // namespace whale
