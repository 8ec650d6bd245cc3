#include "whale/model/deepseek_v32/generation.h"

#include "whale/model/deepseek_v3/generation.h"
#include "whale/model/deepseek_v32/model.h"

namespace whale {

const DeepseekRules& deepseek_v32_rules() {
    static const DeepseekRules rules = [] {
        DeepseekRules r = deepseek_v3_rules();
        r.model_type = "deepseek_v32";
        r.has_indexer = true;
        return r;
    }();
    return rules;
}

const ModelGeneration& deepseek_v32_generation() {
    static const ModelGeneration generation{
        .model_type = "deepseek_v32",
        .hf_architecture = "DeepseekV32ForCausalLM",
        .load = [](const std::string& dir, const ConfigFields& config,
                   const LoadOptions& options) -> std::unique_ptr<CausalLM> {
            return std::make_unique<DeepseekV32Model>(dir, deepseek_config_from_json(config, deepseek_v32_rules()), options);
        },
        .kv_architecture = [](const ConfigFields& config) {
            KvArchitecture a = deepseek_mla_kv_architecture(config);
            a.index_head_dim = config.require_int("index_head_dim");
            a.index_topk = config.require_int("index_topk");
            return a;
        },
        // Early V3.2 repositories carry an older template; V3.2 is encoded by its own rules.
        .chat_format = {.over_template = ChatFormat::ChatFormat_v3_2},
    };
    return generation;
}

}  // namespace whale
