#include "whale/model/deepseek_v2/generation.h"

#include "whale/model/deepseek_v3/generation.h"
#include "whale/model/deepseek_v3/model.h"
#include "whale/model/gguf/deepseek2_export.h"
#include "whale/model/gguf/deepseek2_import.h"
#include "whale/model/gguf/deepseek2_keys.h"

namespace whale {

const DeepseekRules& deepseek_v2_rules() {
    static const DeepseekRules rules{
        .model_type = "deepseek_v2",
        .first_k_dense_replace = 0,
        .scoring_func = "softmax",
        .topk_method = "greedy",
        .norm_topk_prob = false,
        .max_position_embeddings = 2048,
        .reads_rope_interleave = false,
        .router_renormalizes = false,
        .has_indexer = false,
        .tokenizer_pre = "deepseek-llm",
    };
    return rules;
}

const ModelGeneration& deepseek_v2_generation() {
    static const ModelGeneration generation{
        .model_type = "deepseek_v2",
        .hf_architecture = "DeepseekV2ForCausalLM",
        .load = [](const std::string& dir, const ConfigFields& config,
                   const LoadOptions& options) -> std::unique_ptr<CausalLM> {
            return std::make_unique<DeepseekV3Model>(dir, deepseek_config_from_json(config, deepseek_v2_rules()), options);
        },
        .kv_architecture = deepseek_mla_kv_architecture,
        .chat_format = {},  // the chat template decides
        .gguf = {
            .architecture = deepseek2_architecture,
            .model_type_key = deepseek2_model_type_key,
            .load = [](const std::string& path, const LoadOptions& options) {
                return load_deepseek_gguf(path, deepseek_v2_rules(), options);
            },
            .convert = [](const std::string& hf_dir, const ConfigFields& config, const std::string& out_path,
                          GgufFileType type, bool show_progress) {
                return convert_deepseek_to_gguf(hf_dir, deepseek_config_from_json(config, deepseek_v2_rules()), out_path,
                                                type, show_progress);
            },
        },
    };
    return generation;
}

}  // namespace whale
