// Configuration of the dense grouped-query-attention decoders that DeepSeek distilled R1 into:
// model_type "qwen2" (R1-Distill-Qwen 1.5B-32B), "llama" (R1-Distill-Llama 8B, 70B) and "qwen3"
// (R1-0528-Qwen3-8B). Field names follow config.json. Legend used in shape comments:
//   D = hidden_size, H = num_attention_heads, Hkv = num_key_value_heads, Dh = head_dim,
//   V = vocab_size, I = intermediate_size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "whale/formats/json/config_fields.h"
#include "whale/model/blocks/rope_yarn.h"

namespace whale {

struct DenseGqaConfig {
    std::string model_type;          // "qwen2", "llama" or "qwen3"
    int64_t vocab_size = 0;          // V
    int64_t hidden_size = 0;         // D
    int64_t intermediate_size = 0;   // I
    int num_hidden_layers = 0;
    int64_t num_attention_heads = 0; // H
    int64_t num_key_value_heads = 0; // Hkv, divides H
    int64_t head_dim = 0;            // Dh: config.json's head_dim, else D / H
    float rms_norm_eps = 1e-6f;
    int64_t max_position_embeddings = 0;
    bool qkv_bias = false;           // qwen2: attention_bias, default true; others: attention_bias
    bool o_bias = false;             // llama / qwen3: attention_bias; qwen2: never
    bool mlp_bias = false;           // llama only
    bool qk_norm = false;            // qwen3: per-head RMSNorm of q and k before RoPE
    bool tie_word_embeddings = false;
    RopeSettings rope;
    int32_t bos_token_id = -1;
    std::vector<int32_t> eos_token_ids;

    // Values cached per token per layer: rotated keys and values of every KV head.
    int64_t cache_width() const { return 2 * num_key_value_heads * head_dim; }
    // 1/sqrt(Dh): these models never rescale the softmax for long-context RoPE.
    float softmax_scale() const;
};

// Parses and validates; every missing or inconsistent field is an error naming it.
DenseGqaConfig dense_gqa_config_from_json(const ConfigFields& fields);

}  // namespace whale
