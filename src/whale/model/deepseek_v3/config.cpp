#include "whale/model/deepseek_v3/config.h"

#include <algorithm>
#include <cmath>

#include "whale/core/error.h"

namespace whale {

namespace {

void require_positive(const ConfigFields& f, const std::string& key, int64_t value) {
    if (value <= 0) f.fail_field(key, str_cat("must be positive, got ", value));
}

}  // namespace

float DeepseekConfig::softmax_scale() const {
    double base = 1.0 / std::sqrt(double(qk_head_dim()));
    return float(base * yarn_softmax_scale_multiplier(rope));
}

DeepseekConfig deepseek_config_from_json(const ConfigFields& f, const DeepseekRules& rules) {
    DeepseekConfig c;
    c.model_type = f.require_string("model_type");
    if (c.model_type != rules.model_type)
        f.fail_field("model_type", str_cat("is '", c.model_type, "', expected ", rules.model_type));
    c.router_renormalizes = rules.router_renormalizes;
    c.tokenizer_pre = rules.tokenizer_pre;

    c.vocab_size = f.require_int("vocab_size");
    c.hidden_size = f.require_int("hidden_size");
    c.num_hidden_layers = int(f.require_int("num_hidden_layers"));
    c.num_attention_heads = f.require_int("num_attention_heads");
    c.kv_lora_rank = f.require_int("kv_lora_rank");
    c.qk_nope_head_dim = f.require_int("qk_nope_head_dim");
    c.qk_rope_head_dim = f.require_int("qk_rope_head_dim");
    c.v_head_dim = f.require_int("v_head_dim");
    if (!f.json().contains("q_lora_rank"))
        f.fail_field("q_lora_rank", "is required but missing (write null for no query compression)");
    c.q_lora_rank = f.get_optional_int("q_lora_rank").value_or(0);

    c.n_routed_experts = f.get_optional_int("n_routed_experts").value_or(0);
    c.first_k_dense_replace = int(f.get_int("first_k_dense_replace", rules.first_k_dense_replace));
    c.moe_layer_freq = int(f.get_int("moe_layer_freq", 1));
    if (c.n_routed_experts > 0) {
        c.moe_intermediate_size = f.require_int("moe_intermediate_size");
        c.num_experts_per_tok = f.require_int("num_experts_per_tok");
        c.n_shared_experts = f.get_optional_int("n_shared_experts").value_or(0);
        c.n_group = f.get_optional_int("n_group").value_or(1);
        c.topk_group = f.get_optional_int("topk_group").value_or(1);
        c.routed_scaling_factor = f.get_double("routed_scaling_factor", 1.0);
        c.norm_topk_prob = f.get_bool("norm_topk_prob", rules.norm_topk_prob);
    }
    bool any_dense = c.n_routed_experts == 0 || c.first_k_dense_replace > 0 || c.moe_layer_freq > 1;
    if (any_dense) c.intermediate_size = f.require_int("intermediate_size");

    std::string scoring = f.get_string("scoring_func", rules.scoring_func);
    if (scoring == "softmax") c.scoring_func = ScoringFunc::ScoringFunc_softmax;
    else if (scoring == "sigmoid") c.scoring_func = ScoringFunc::ScoringFunc_sigmoid;
    else f.fail_field("scoring_func", str_cat("is '", scoring, "', expected softmax or sigmoid"));

    std::string method = f.get_string("topk_method", rules.topk_method);
    if (method == "greedy") c.topk_method = TopkMethod::TopkMethod_greedy;
    else if (method == "group_limited_greedy") c.topk_method = TopkMethod::TopkMethod_group_limited_greedy;
    else if (method == "noaux_tc") c.topk_method = TopkMethod::TopkMethod_noaux_tc;
    else f.fail_field("topk_method", str_cat("is '", method, "', expected greedy, group_limited_greedy or noaux_tc"));

    c.rms_norm_eps = float(f.get_double("rms_norm_eps", 1e-6));
    c.max_position_embeddings = f.get_int("max_position_embeddings", rules.max_position_embeddings);
    c.num_nextn_predict_layers = int(f.get_int("num_nextn_predict_layers", 0));
    c.attention_bias = f.get_bool("attention_bias", false);
    c.mlp_bias = f.get_bool("mlp_bias", false);
    c.tie_word_embeddings = f.get_bool("tie_word_embeddings", false);
    c.rope_interleave = rules.reads_rope_interleave ? f.get_bool("rope_interleave", true) : true;
    c.rope = rope_settings_from_config(f);
    c.bos_token_id = int32_t(f.get_int("bos_token_id", -1));
    c.eos_token_ids = f.get_token_ids("eos_token_id");

    std::string act = f.get_string("hidden_act", "silu");
    if (act != "silu") f.fail_field("hidden_act", str_cat("is '", act, "'; DeepSeek models use silu"));

    require_positive(f, "vocab_size", c.vocab_size);
    require_positive(f, "hidden_size", c.hidden_size);
    require_positive(f, "num_hidden_layers", c.num_hidden_layers);
    require_positive(f, "num_attention_heads", c.num_attention_heads);
    require_positive(f, "kv_lora_rank", c.kv_lora_rank);
    require_positive(f, "v_head_dim", c.v_head_dim);
    require_positive(f, "qk_rope_head_dim", c.qk_rope_head_dim);
    if (c.qk_nope_head_dim < 0) f.fail_field("qk_nope_head_dim", "must not be negative");
    if (c.qk_rope_head_dim % 2 != 0)
        f.fail_field("qk_rope_head_dim", str_cat("must be even (RoPE rotates pairs), got ", c.qk_rope_head_dim));
    if (c.q_lora_rank < 0) f.fail_field("q_lora_rank", "must be null or positive");
    if (c.moe_layer_freq <= 0) f.fail_field("moe_layer_freq", "must be positive");
    if (c.first_k_dense_replace < 0) f.fail_field("first_k_dense_replace", "must not be negative");
    if (any_dense) require_positive(f, "intermediate_size", c.intermediate_size);
    if (c.n_routed_experts < 0) f.fail_field("n_routed_experts", "must not be negative");
    if (c.n_routed_experts > 0) {
        require_positive(f, "moe_intermediate_size", c.moe_intermediate_size);
        require_positive(f, "n_group", c.n_group);
        if (c.n_shared_experts < 0) f.fail_field("n_shared_experts", "must not be negative");
        if (c.num_experts_per_tok <= 0 || c.num_experts_per_tok > c.n_routed_experts)
            f.fail_field("num_experts_per_tok", str_cat("must be in [1, n_routed_experts = ", c.n_routed_experts,
                                                        "], got ", c.num_experts_per_tok));
        if (c.n_routed_experts % c.n_group != 0)
            f.fail_field("n_group", str_cat("must divide n_routed_experts = ", c.n_routed_experts, ", got ", c.n_group));
        if (c.topk_group <= 0 || c.topk_group > c.n_group)
            f.fail_field("topk_group", str_cat("must be in [1, n_group = ", c.n_group, "], got ", c.topk_group));
        if (c.topk_method != TopkMethod::TopkMethod_greedy &&
            c.topk_group * (c.n_routed_experts / c.n_group) < c.num_experts_per_tok)
            f.fail_field("topk_group", "keeps fewer experts than num_experts_per_tok");
        if (c.topk_method == TopkMethod::TopkMethod_noaux_tc && c.n_routed_experts / c.n_group < 2)
            f.fail_field("n_group", "noaux_tc scores a group by its two best experts; groups need at least 2");
    }
    if (c.vocab_size > INT32_MAX) f.fail_field("vocab_size", "is too large");

    if (rules.has_indexer) {
        c.index_n_heads = f.require_int("index_n_heads");
        c.index_head_dim = f.require_int("index_head_dim");
        c.index_topk = f.require_int("index_topk");
        require_positive(f, "index_n_heads", c.index_n_heads);
        require_positive(f, "index_topk", c.index_topk);
        if (c.index_head_dim < c.qk_rope_head_dim)
            f.fail_field("index_head_dim", str_cat("must hold the rope slice of qk_rope_head_dim = ", c.qk_rope_head_dim));
        if (c.q_lora_rank <= 0) f.fail_field("q_lora_rank", str_cat("must be set for ", rules.model_type, " (the indexer reads the query latent)"));
    }
    if (f.has("mlp_layer_types")) {
        const nlohmann::json& kinds = f.json()["mlp_layer_types"];
        if (!kinds.is_array() || int(kinds.size()) != c.num_hidden_layers)
            f.fail_field("mlp_layer_types", str_cat("must list one of \"dense\"/\"sparse\" per layer (", c.num_hidden_layers, ")"));
        for (const nlohmann::json& kind : kinds) {
            if (kind != "dense" && kind != "sparse") f.fail_field("mlp_layer_types", "entries must be \"dense\" or \"sparse\"");
            c.moe_layers.push_back(kind == "sparse");
        }
        bool any_moe = std::find(c.moe_layers.begin(), c.moe_layers.end(), true) != c.moe_layers.end();
        if (any_moe && c.n_routed_experts <= 0) f.fail_field("mlp_layer_types", "lists sparse layers but n_routed_experts is not set");
        bool dense = std::find(c.moe_layers.begin(), c.moe_layers.end(), false) != c.moe_layers.end();
        if (dense && c.intermediate_size <= 0) c.intermediate_size = f.require_int("intermediate_size");
    }
    return c;
}

}  // namespace whale
