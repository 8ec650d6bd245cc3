#include "whale/model/dense_gqa/config.h"

#include <cmath>

#include "whale/core/error.h"

namespace whale {

namespace {

void require_positive(const ConfigFields& f, const std::string& key, int64_t value) {
    if (value <= 0) f.fail_field(key, str_cat("must be positive, got ", value));
}

// Whale attends over the full causal context; a checkpoint that asks for windowed layers is refused
// rather than silently run with a different mask.
void require_full_attention(const ConfigFields& f) {
    if (f.get_bool("use_sliding_window", false))
        f.fail_field("use_sliding_window", "is true; Whale supports only full attention for these models");
    if (!f.has("layer_types")) return;
    const nlohmann::json& types = f.json()["layer_types"];
    if (!types.is_array()) f.fail_field("layer_types", "must be a list of strings");
    for (const nlohmann::json& t : types)
        if (!t.is_string() || t.get<std::string>() != "full_attention")
            f.fail_field("layer_types", str_cat("contains ", t.dump(), "; Whale supports only \"full_attention\""));
}

}  // namespace

float DenseGqaConfig::softmax_scale() const { return float(1.0 / std::sqrt(double(head_dim))); }

DenseGqaConfig dense_gqa_config_from_json(const ConfigFields& f) {
    DenseGqaConfig c;
    c.model_type = f.require_string("model_type");
    const bool qwen2 = c.model_type == "qwen2", qwen3 = c.model_type == "qwen3", llama = c.model_type == "llama";
    if (!qwen2 && !qwen3 && !llama)
        f.fail_field("model_type", str_cat("is '", c.model_type, "', expected qwen2, llama or qwen3"));

    c.vocab_size = f.require_int("vocab_size");
    c.hidden_size = f.require_int("hidden_size");
    c.intermediate_size = f.require_int("intermediate_size");
    c.num_hidden_layers = int(f.require_int("num_hidden_layers"));
    c.num_attention_heads = f.require_int("num_attention_heads");
    c.num_key_value_heads = f.get_int("num_key_value_heads", c.num_attention_heads);
    require_positive(f, "vocab_size", c.vocab_size);
    require_positive(f, "hidden_size", c.hidden_size);
    require_positive(f, "intermediate_size", c.intermediate_size);
    require_positive(f, "num_hidden_layers", c.num_hidden_layers);
    require_positive(f, "num_attention_heads", c.num_attention_heads);
    require_positive(f, "num_key_value_heads", c.num_key_value_heads);
    if (c.num_attention_heads % c.num_key_value_heads != 0)
        f.fail_field("num_key_value_heads", str_cat("must divide num_attention_heads = ", c.num_attention_heads,
                                                    " (each KV head serves a whole group of query heads), got ",
                                                    c.num_key_value_heads));
    // Qwen3Config defaults head_dim to 128; Llama and Qwen2 derive it from the hidden size.
    if (f.has("head_dim") || qwen3) {
        c.head_dim = f.get_int("head_dim", 128);
        require_positive(f, "head_dim", c.head_dim);
    } else {
        if (c.hidden_size % c.num_attention_heads != 0)
            f.fail_field("num_attention_heads", str_cat("must divide hidden_size = ", c.hidden_size,
                                                        " when head_dim is not given, got ", c.num_attention_heads));
        c.head_dim = c.hidden_size / c.num_attention_heads;
    }
    if (c.head_dim % 2 != 0) f.fail_field("head_dim", str_cat("must be even (RoPE rotates pairs), got ", c.head_dim));

    c.rms_norm_eps = float(f.get_double("rms_norm_eps", 1e-6));
    c.max_position_embeddings = f.get_int("max_position_embeddings", llama ? 2048 : 32768);
    // transformers' Qwen2 always builds q/k/v biases and no o_proj bias; attention_bias: false
    // in a qwen2 config is honoured so a bias-free checkpoint loads instead of failing.
    const bool attention_bias = f.get_bool("attention_bias", qwen2);
    c.qkv_bias = attention_bias;
    c.o_bias = attention_bias && !qwen2;
    c.mlp_bias = llama && f.get_bool("mlp_bias", false);
    c.qk_norm = qwen3;
    c.tie_word_embeddings = f.get_bool("tie_word_embeddings", false);
    c.rope = rope_settings_from_config(f);
    c.bos_token_id = int32_t(f.get_int("bos_token_id", -1));
    c.eos_token_ids = f.get_token_ids("eos_token_id");

    std::string act = f.get_string("hidden_act", "silu");
    if (act != "silu") f.fail_field("hidden_act", str_cat("is '", act, "'; these models use silu"));
    require_full_attention(f);
    if (c.vocab_size > INT32_MAX) f.fail_field("vocab_size", "is too large");
    return c;
}

}  // namespace whale
