#include "whale/model/deepseek_v3/generation.h"

#include "whale/model/deepseek_v3/model.h"
#include "whale/model/gguf/deepseek2_export.h"
#include "whale/model/gguf/deepseek2_import.h"
#include "whale/model/gguf/deepseek2_keys.h"

namespace whale {

const DeepseekRules& deepseek_v3_rules() {
    static const DeepseekRules rules{
        .model_type = "deepseek_v3",
        .first_k_dense_replace = 3,
        .scoring_func = "sigmoid",
        .topk_method = "noaux_tc",
        .norm_topk_prob = true,
        .max_position_embeddings = 4096,
        .reads_rope_interleave = true,
        .router_renormalizes = true,
        .has_indexer = false,
        .tokenizer_pre = "deepseek-v3",
    };
    return rules;
}

KvArchitecture deepseek_mla_kv_architecture(const ConfigFields& f) {
    KvArchitecture a;
    a.name = f.require_string("model_type");
    a.n_layers = int(f.require_int("num_hidden_layers"));
    a.n_heads = f.require_int("num_attention_heads");
    a.kv_lora_rank = f.require_int("kv_lora_rank");
    a.rope_dim = f.require_int("qk_rope_head_dim");
    a.qk_head_dim = f.require_int("qk_nope_head_dim") + a.rope_dim;
    a.v_head_dim = f.require_int("v_head_dim");
    return a;
}

const ModelGeneration& deepseek_v3_generation() {
    static const ModelGeneration generation{
        .model_type = "deepseek_v3",
        .hf_architecture = "DeepseekV3ForCausalLM",
        .load = [](const std::string& dir, const ConfigFields& config,
                   const LoadOptions& options) -> std::unique_ptr<CausalLM> {
            return std::make_unique<DeepseekV3Model>(dir, deepseek_config_from_json(config, deepseek_v3_rules()), options);
        },
        .kv_architecture = deepseek_mla_kv_architecture,
        .chat_format = {.without_template = ChatFormat::ChatFormat_v3},
        .gguf = {
            .architecture = deepseek2_architecture,
            .model_type_key = deepseek2_model_type_key,
            .is_default = true,  // llama.cpp writes V3, R1 and V3.1 without Whale's key
            .load = [](const std::string& path, const LoadOptions& options) {
                return load_deepseek_gguf(path, deepseek_v3_rules(), options);
            },
            .convert = [](const std::string& hf_dir, const ConfigFields& config, const std::string& out_path,
                          GgufFileType type, bool show_progress) {
                return convert_deepseek_to_gguf(hf_dir, deepseek_config_from_json(config, deepseek_v3_rules()), out_path,
                                                type, show_progress);
            },
        },
    };
    return generation;
}

}  // namespace whale
