#include "whale/model/gguf/deepseek2_keys.h"

#include <filesystem>

#include "whale/core/error.h"
#include "whale/model/gguf/tokenizer_metadata.h"

namespace whale {

namespace {

constexpr const char* arch = deepseek2_architecture;

std::string key(const std::string& suffix) { return str_cat(arch, ".", suffix); }

const char* topk_method_name(TopkMethod m) {
    switch (m) {
        case TopkMethod::TopkMethod_greedy: return "greedy";
        case TopkMethod::TopkMethod_group_limited_greedy: return "group_limited_greedy";
        case TopkMethod::TopkMethod_noaux_tc: return "noaux_tc";
    }
    return "greedy";
}

}  // namespace

std::vector<GgufKeyValue> deepseek2_metadata(const DeepseekConfig& c, const std::string& hf_dir, GgufFileType type) {
    std::vector<GgufKeyValue> m;
    auto add = [&m](const std::string& k, GgufValue v) { m.push_back({k, std::move(v)}); };
    auto u32 = [](int64_t v) { return gguf_u32(uint32_t(v)); };
    add("general.architecture", gguf_string(arch));
    add("general.name", gguf_string(std::filesystem::path(hf_dir).filename().string()));
    add("general.file_type", gguf_u32(gguf_file_type_id(type)));
    add("general.quantization_version", gguf_u32(2));
    add(key("context_length"), u32(c.max_position_embeddings));
    add(key("embedding_length"), u32(c.hidden_size));
    add(key("block_count"), u32(c.num_hidden_layers));
    add(key("feed_forward_length"), u32(c.intermediate_size));
    add(key("attention.head_count"), u32(c.num_attention_heads));
    add(key("attention.head_count_kv"), u32(1));  // MLA is stored as MQA over the latent
    add(key("attention.layer_norm_rms_epsilon"), gguf_f32(c.rms_norm_eps));
    add(key("vocab_size"), u32(c.vocab_size));
    add(key("leading_dense_block_count"), u32(c.first_k_dense_replace));
    add(key("attention.q_lora_rank"), u32(c.q_lora_rank));  // 0 = no query compression; llama.cpp needs the key
    add(key("attention.kv_lora_rank"), u32(c.kv_lora_rank));
    add(key("attention.key_length"), u32(c.kv_lora_rank + c.qk_rope_head_dim));
    add(key("attention.value_length"), u32(c.kv_lora_rank));
    add(key("attention.key_length_mla"), u32(c.qk_head_dim()));
    add(key("attention.value_length_mla"), u32(c.v_head_dim));
    add(key("expert_feed_forward_length"), u32(c.moe_intermediate_size));
    add(key("expert_count"), u32(c.n_routed_experts));
    add(key("expert_used_count"), u32(c.num_experts_per_tok));
    add(key("expert_shared_count"), u32(c.n_shared_experts));
    add(key("expert_weights_scale"), gguf_f32(float(c.routed_scaling_factor)));
    add(key("expert_weights_norm"), gguf_bool(c.norm_topk_prob));
    add(key("expert_gating_func"), gguf_u32(c.scoring_func == ScoringFunc::ScoringFunc_softmax ? 1 : 2));
    add(key("expert_group_count"), u32(c.n_group));
    add(key("expert_group_used_count"), u32(c.topk_group));
    add(key("rope.dimension_count"), u32(c.qk_rope_head_dim));
    add(key("rope.freq_base"), gguf_f32(float(c.rope.theta)));
    if (c.rope.yarn) {
        const double mscale_all_dim = c.rope.mscale_all_dim.value_or(0.0);
        add(key("rope.scaling.type"), gguf_string("yarn"));
        add(key("rope.scaling.factor"), gguf_f32(float(c.rope.factor)));
        add(key("rope.scaling.original_context_length"), u32(c.rope.original_max_position));
        add(key("rope.scaling.yarn_log_multiplier"), gguf_f32(float(0.1 * mscale_all_dim)));
        add(key("rope.scaling.yarn_beta_fast"), gguf_f32(float(c.rope.beta_fast)));
        add(key("rope.scaling.yarn_beta_slow"), gguf_f32(float(c.rope.beta_slow)));
        // Exact values for Whale (the llama.cpp keys above are f32 and mscale has none).
        if (c.rope.mscale) add("whale.deepseek.rope.mscale", gguf_f64(*c.rope.mscale));
        if (c.rope.mscale_all_dim) add("whale.deepseek.rope.mscale_all_dim", gguf_f64(mscale_all_dim));
    } else {
        WHALE_CHECK(!c.rope.llama3 && !c.rope.linear, hf_dir, ": rope_scaling other than yarn has no deepseek2 GGUF key");
    }
    add(deepseek2_model_type_key, gguf_string(c.model_type));
    add("whale.deepseek.topk_method", gguf_string(topk_method_name(c.topk_method)));
    add("whale.deepseek.moe_layer_freq", u32(c.moe_layer_freq));
    add("whale.deepseek.rope_interleave", gguf_bool(c.rope_interleave));
    add("whale.deepseek.tie_word_embeddings", gguf_bool(c.tie_word_embeddings));
    std::vector<GgufValue> eos;
    for (int32_t id : c.eos_token_ids) eos.push_back(gguf_i32(id));
    add("whale.deepseek.eos_token_ids", gguf_array(GgufType::GgufType_int32, eos));
    for (GgufKeyValue& kv : tokenizer_metadata(hf_dir, c)) m.push_back(std::move(kv));
    return m;
}

DeepseekConfig deepseek_config_from_gguf(const GgufFile& f, const DeepseekRules& rules) {
    const std::string architecture = f.get_string("general.architecture");
    WHALE_CHECK(architecture == arch, f.path(), ": general.architecture is '", architecture, "', expected '", arch, "'");
    auto u = [&f](const std::string& suffix) { return f.get_u64(key(suffix)); };
    auto has = [&f](const std::string& k) { return f.find_value(k) != nullptr; };
    // Whale's own keys when present (files it wrote); llama.cpp's conventions otherwise.
    nlohmann::json j;
    j["model_type"] = rules.model_type;
    const GgufTensor* embedding = f.find("token_embd.weight");
    j["vocab_size"] = has(key("vocab_size")) || !embedding ? u("vocab_size") : uint64_t(embedding->rows());
    j["hidden_size"] = u("embedding_length");
    j["num_hidden_layers"] = u("block_count");
    j["intermediate_size"] = u("feed_forward_length");
    j["num_attention_heads"] = u("attention.head_count");
    j["rms_norm_eps"] = f.get_f64(key("attention.layer_norm_rms_epsilon"));
    const uint64_t q_lora = u("attention.q_lora_rank");
    j["q_lora_rank"] = q_lora ? nlohmann::json(q_lora) : nlohmann::json(nullptr);
    j["kv_lora_rank"] = u("attention.kv_lora_rank");
    const uint64_t rope_dim = u("rope.dimension_count");
    const uint64_t key_length_mla = u("attention.key_length_mla");
    WHALE_CHECK(key_length_mla > rope_dim, f.path(), ": ", key("attention.key_length_mla"), " = ", key_length_mla,
                " must exceed ", key("rope.dimension_count"), " = ", rope_dim);
    j["qk_rope_head_dim"] = rope_dim;
    j["qk_nope_head_dim"] = key_length_mla - rope_dim;
    j["v_head_dim"] = u("attention.value_length_mla");
    j["max_position_embeddings"] = u("context_length");
    j["first_k_dense_replace"] = u("leading_dense_block_count");
    const uint64_t n_experts = has(key("expert_count")) ? u("expert_count") : 0;
    if (n_experts > 0) {
        j["n_routed_experts"] = n_experts;
        j["moe_intermediate_size"] = u("expert_feed_forward_length");
        j["num_experts_per_tok"] = u("expert_used_count");
        j["n_shared_experts"] = has(key("expert_shared_count")) ? u("expert_shared_count") : 0;
        j["routed_scaling_factor"] = has(key("expert_weights_scale")) ? f.get_f64(key("expert_weights_scale")) : 1.0;
        j["norm_topk_prob"] = has(key("expert_weights_norm")) && f.get_bool(key("expert_weights_norm"));
        j["n_group"] = has(key("expert_group_count")) ? u("expert_group_count") : 1;
        j["topk_group"] = has(key("expert_group_used_count")) ? u("expert_group_used_count") : 1;
        const bool sigmoid = has(key("expert_gating_func")) && u("expert_gating_func") == 2;
        j["scoring_func"] = sigmoid ? "sigmoid" : "softmax";
        // llama.cpp files: the score-correction bias marks noaux_tc routing.
        j["topk_method"] = has("whale.deepseek.topk_method") ? f.get_string("whale.deepseek.topk_method")
                           : f.find("blk." + std::to_string(j["first_k_dense_replace"].get<uint64_t>()) +
                                    ".exp_probs_b.bias")
                               ? "noaux_tc"
                               : (j["n_group"].get<uint64_t>() > 1 ? "group_limited_greedy" : "greedy");
    }
    if (has("whale.deepseek.moe_layer_freq")) j["moe_layer_freq"] = f.get_u64("whale.deepseek.moe_layer_freq");
    if (has("whale.deepseek.rope_interleave")) j["rope_interleave"] = f.get_bool("whale.deepseek.rope_interleave");
    if (has("whale.deepseek.tie_word_embeddings"))
        j["tie_word_embeddings"] = f.get_bool("whale.deepseek.tie_word_embeddings");
    j["rope_theta"] = f.get_f64(key("rope.freq_base"));
    if (has(key("rope.scaling.type")) && f.get_string(key("rope.scaling.type")) == "yarn") {
        nlohmann::json s;
        s["type"] = "yarn";
        s["factor"] = f.get_f64(key("rope.scaling.factor"));
        s["original_max_position_embeddings"] = u("rope.scaling.original_context_length");
        if (has(key("rope.scaling.yarn_beta_fast"))) s["beta_fast"] = f.get_f64(key("rope.scaling.yarn_beta_fast"));
        if (has(key("rope.scaling.yarn_beta_slow"))) s["beta_slow"] = f.get_f64(key("rope.scaling.yarn_beta_slow"));
        const double log_multiplier =
            has(key("rope.scaling.yarn_log_multiplier")) ? f.get_f64(key("rope.scaling.yarn_log_multiplier")) : 0.0;
        const double mscale_all_dim = has("whale.deepseek.rope.mscale_all_dim")
                                          ? f.get_f64("whale.deepseek.rope.mscale_all_dim")
                                          : log_multiplier / 0.1;
        s["mscale_all_dim"] = mscale_all_dim;
        s["mscale"] = has("whale.deepseek.rope.mscale") ? f.get_f64("whale.deepseek.rope.mscale") : mscale_all_dim;
        j["rope_scaling"] = s;
    }
    if (has("tokenizer.ggml.bos_token_id")) j["bos_token_id"] = f.get_u64("tokenizer.ggml.bos_token_id");
    if (has("whale.deepseek.eos_token_ids")) {
        nlohmann::json eos = nlohmann::json::array();
        for (const GgufValue& v : f.find_value("whale.deepseek.eos_token_ids")->array) eos.push_back(v.as_i64());
        j["eos_token_id"] = eos;
    } else if (has("tokenizer.ggml.eos_token_id")) {
        j["eos_token_id"] = f.get_u64("tokenizer.ggml.eos_token_id");
    }
    DeepseekConfig c = deepseek_config_from_json(ConfigFields(j, f.path() + " (deepseek2 metadata)"), rules);
    c.num_nextn_predict_layers = 0;  // the deepseek2 layout has no MTP tensors
    return c;
}

}  // namespace whale
