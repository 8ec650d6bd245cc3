// Configuration of the DeepSeek MLA + MoE family: model_type "deepseek_v2" (V2, V2-Lite),
// "deepseek_v3" (V3, R1, V3.1) and "deepseek_v32" (V3.2: V3 plus the sparse-attention indexer).
// One struct serves all: V2 is V3 with softmax routing and no MTP; V3.2 adds the index_* fields.
// What sets a generation apart when config.json is read is its DeepseekRules, defined in the
// generation's own folder (deepseek_v2/, deepseek_v3/, deepseek_v32/).
// Field names follow config.json (docs/models/deepseek_v3.md, 'Configuration fields').
// Legend used in shape comments:
//   D = hidden_size, H = num_attention_heads, V = vocab_size, I = intermediate_size,
//   Ie = moe_intermediate_size, E = n_routed_experts, Kq = q_lora_rank, C = kv_lora_rank,
//   Dn = qk_nope_head_dim, Dr = qk_rope_head_dim, Dv = v_head_dim.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "whale/formats/json/config_fields.h"
#include "whale/model/blocks/rope_yarn.h"

namespace whale {

enum class ScoringFunc { ScoringFunc_softmax, ScoringFunc_sigmoid };
enum class TopkMethod { TopkMethod_greedy, TopkMethod_group_limited_greedy, TopkMethod_noaux_tc };

// One generation's reading of config.json: the defaults of the fields it may leave out and the
// parts it has.
struct DeepseekRules {
    const char* model_type;               // the config.json model_type these rules read
    int first_k_dense_replace;            // defaults of fields config.json may omit
    const char* scoring_func;
    const char* topk_method;
    bool norm_topk_prob;
    int64_t max_position_embeddings;
    bool reads_rope_interleave;           // false: V2 has no such option (always interleaved pairs)
    bool router_renormalizes;             // false: transformers' DeepseekV2 router never renormalises
    bool has_indexer;                     // V3.2: the index_* fields are required
    const char* tokenizer_pre;            // llama.cpp's pre-tokenizer name for its GGUF files
};

struct DeepseekConfig {
    std::string model_type;            // "deepseek_v2", "deepseek_v3" or "deepseek_v32"
    int64_t vocab_size = 0;            // V
    int64_t hidden_size = 0;           // D
    int64_t intermediate_size = 0;     // I, dense MLP width
    int64_t moe_intermediate_size = 0; // Ie, one expert's width
    int num_hidden_layers = 0;
    int64_t num_attention_heads = 0;   // H
    int64_t q_lora_rank = 0;           // Kq; 0 = no query compression (V2-Lite)
    int64_t kv_lora_rank = 0;          // C
    int64_t qk_nope_head_dim = 0;      // Dn
    int64_t qk_rope_head_dim = 0;      // Dr
    int64_t v_head_dim = 0;            // Dv
    int64_t n_routed_experts = 0;      // E; 0 = every layer dense
    int64_t n_shared_experts = 0;
    int64_t num_experts_per_tok = 0;   // K
    int64_t n_group = 1;
    int64_t topk_group = 1;
    double routed_scaling_factor = 1.0;
    ScoringFunc scoring_func = ScoringFunc::ScoringFunc_softmax;
    TopkMethod topk_method = TopkMethod::TopkMethod_greedy;
    bool norm_topk_prob = false;
    bool router_renormalizes = true;   // whether norm_topk_prob is obeyed (DeepseekRules)
    int first_k_dense_replace = 0;
    int moe_layer_freq = 1;
    float rms_norm_eps = 1e-6f;
    int64_t max_position_embeddings = 0;
    int num_nextn_predict_layers = 0;
    bool attention_bias = false;
    bool mlp_bias = false;
    bool tie_word_embeddings = false;
    bool rope_interleave = true;       // HF V3 option; false = half-split pairs on the raw layout
    RopeSettings rope;
    std::string tokenizer_pre = "deepseek-v3";  // DeepseekRules::tokenizer_pre
    int32_t bos_token_id = -1;
    std::vector<int32_t> eos_token_ids;
    // V3.2 lightning indexer (0 = no indexer): heads, head width and the top-k token budget.
    int64_t index_n_heads = 0;
    int64_t index_head_dim = 0;
    int64_t index_topk = 0;
    // Per-layer "dense" / "sparse" FFN kinds when config.json lists them (transformers' V3.2
    // mlp_layer_types); empty = derived from first_k_dense_replace and moe_layer_freq.
    std::vector<bool> moe_layers;

    int64_t qk_head_dim() const { return qk_nope_head_dim + qk_rope_head_dim; }
    // Values cached per token per layer: the normalised latent and the rotated rope key.
    int64_t latent_cache_width() const { return kv_lora_rank + qk_rope_head_dim; }
    bool layer_is_moe(int layer) const {
        if (!moe_layers.empty()) return moe_layers[size_t(layer)];
        return n_routed_experts > 0 && layer >= first_k_dense_replace && layer % moe_layer_freq == 0;
    }
    bool has_indexer() const { return index_n_heads > 0; }
    // 1/sqrt(Dn + Dr), times the YaRN m² correction.
    float softmax_scale() const;
};

// Parses and validates by `rules`; every missing or inconsistent field is an error naming it
// (a model_type other than rules.model_type too).
DeepseekConfig deepseek_config_from_json(const ConfigFields& fields, const DeepseekRules& rules);

}  // namespace whale
