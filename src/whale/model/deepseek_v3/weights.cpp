#include "whale/model/deepseek_v3/weights.h"

#include "whale/core/error.h"

namespace whale {

MlaShape mla_shape(const DeepseekConfig& c) {
    MlaShape s;
    s.hidden_size = c.hidden_size;
    s.n_heads = c.num_attention_heads;
    s.q_lora_rank = c.q_lora_rank;
    s.kv_lora_rank = c.kv_lora_rank;
    s.nope_dim = c.qk_nope_head_dim;
    s.rope_dim = c.qk_rope_head_dim;
    s.v_dim = c.v_head_dim;
    s.eps = c.rms_norm_eps;
    s.softmax_scale = c.softmax_scale();
    s.rope_interleaved = c.rope_interleave;
    s.attention_bias = c.attention_bias;
    return s;
}

RouterSettings router_settings(const DeepseekConfig& c) {
    RouterSettings r;
    r.n_experts = c.n_routed_experts;
    r.top_k = c.num_experts_per_tok;
    r.n_group = c.n_group;
    r.topk_group = c.topk_group;
    r.scoring = c.scoring_func == ScoringFunc::ScoringFunc_softmax ? RouterScoring::RouterScoring_softmax
                                                                   : RouterScoring::RouterScoring_sigmoid;
    switch (c.topk_method) {
        case TopkMethod::TopkMethod_greedy: r.selection = RouterSelection::RouterSelection_greedy; break;
        case TopkMethod::TopkMethod_group_limited_greedy:
            r.selection = RouterSelection::RouterSelection_group_limited_greedy;
            break;
        case TopkMethod::TopkMethod_noaux_tc: r.selection = RouterSelection::RouterSelection_noaux_tc; break;
    }
    // Off for V2 whatever norm_topk_prob says: transformers' DeepseekV2 router never renormalises.
    r.normalize = c.router_renormalizes && c.norm_topk_prob;
    r.scale = float(c.routed_scaling_factor);
    return r;
}

namespace {

DecoderLayerWeights load_layer(WeightLoader& loader, const DeepseekConfig& c, int layer) {
    const std::string prefix = str_cat("model.layers.", layer);
    DecoderLayerWeights w;
    w.input_layernorm = loader.vector(prefix + ".input_layernorm.weight", c.hidden_size);
    w.self_attn = load_mla(loader, prefix + ".self_attn", mla_shape(c));
    w.post_attention_layernorm = loader.vector(prefix + ".post_attention_layernorm.weight", c.hidden_size);
    // The MTP layer (index num_hidden_layers) is always MoE when the model has experts.
    w.is_moe = layer >= c.num_hidden_layers ? c.n_routed_experts > 0 : c.layer_is_moe(layer);
    if (w.is_moe) {
        const bool bias = c.topk_method == TopkMethod::TopkMethod_noaux_tc;
        w.moe = load_moe(loader, prefix + ".mlp", router_settings(c), c.hidden_size, c.moe_intermediate_size,
                         c.n_shared_experts, bias, c.mlp_bias);
    } else {
        w.mlp = load_swiglu(loader, prefix + ".mlp", c.hidden_size, c.intermediate_size, c.mlp_bias);
    }
    return w;
}

std::optional<WeightMatrix> optional_matrix(WeightLoader& loader, const std::string& name, int64_t rows, int64_t cols) {
    if (!loader.has(name)) return std::nullopt;
    return loader.matrix(name, rows, cols);
}

MtpWeights load_mtp(WeightLoader& loader, const DeepseekConfig& c, int layer) {
    const std::string prefix = str_cat("model.layers.", layer);
    MtpWeights m;
    m.enorm = loader.vector(prefix + ".enorm.weight", c.hidden_size);
    m.hnorm = loader.vector(prefix + ".hnorm.weight", c.hidden_size);
    m.eh_proj = loader.linear(prefix + ".eh_proj", c.hidden_size, 2 * c.hidden_size);
    m.shared_head_norm = loader.vector(prefix + ".shared_head.norm.weight", c.hidden_size);
    m.shared_head = optional_matrix(loader, prefix + ".shared_head.head.weight", c.vocab_size, c.hidden_size);
    m.embed_tokens = optional_matrix(loader, prefix + ".embed_tokens.weight", c.vocab_size, c.hidden_size);
    m.layer = load_layer(loader, c, layer);
    return m;
}

}  // namespace

DeepseekWeights load_deepseek_weights(WeightLoader& loader, const DeepseekConfig& c) {
    DeepseekWeights w;
    w.embed_tokens = loader.matrix("model.embed_tokens.weight", c.vocab_size, c.hidden_size);
    for (int l = 0; l < c.num_hidden_layers; ++l) w.layers.push_back(load_layer(loader, c, l));
    w.norm = loader.vector("model.norm.weight", c.hidden_size);
    if (c.tie_word_embeddings && !loader.has("lm_head.weight"))
        w.lm_head = w.embed_tokens;
    else
        w.lm_head = loader.matrix("lm_head.weight", c.vocab_size, c.hidden_size);
    // transformers never writes the MTP layer; released checkpoints do. Load it when present.
    const std::string mtp_probe = str_cat("model.layers.", c.num_hidden_layers, ".eh_proj.weight");
    if (c.num_nextn_predict_layers > 0 && loader.has(mtp_probe)) w.mtp = load_mtp(loader, c, c.num_hidden_layers);
    return w;
}

}  // namespace whale
