#include "whale/model/deepseek_v4/generation.h"

namespace whale {

namespace {

KvArchitecture v4_kv_architecture(const ConfigFields& f) {
    KvArchitecture a;
    a.name = f.require_string("model_type");
    a.n_layers = int(f.require_int("num_hidden_layers"));
    a.n_heads = f.require_int("num_attention_heads");
    a.qk_head_dim = a.v_head_dim = a.v4_entry_dim = f.require_int("head_dim");
    a.window = f.get_int("sliding_window", 128);
    a.index_head_dim = f.get_int("index_head_dim", 128);
    a.index_topk = f.get_int("index_topk", 512);
    if (!f.has("compress_ratios") || !f.json()["compress_ratios"].is_array())
        f.fail_field("compress_ratios", "must list one compression ratio per layer");
    for (const auto& r : f.json()["compress_ratios"]) a.compress_ratios.push_back(r.get<int>());
    a.compress_ratios.resize(size_t(a.n_layers));  // the extra entry belongs to the MTP layer
    return a;
}

}  // namespace

const ModelGeneration& deepseek_v4_generation() {
    static const ModelGeneration generation{
        .model_type = "deepseek_v4",
        .hf_architecture = "DeepseekV4ForCausalLM",
        .kv_architecture = v4_kv_architecture,
        .chat_format = {.over_template = ChatFormat::ChatFormat_v4},  // V4 ships no chat template
    };
    return generation;
}

}  // namespace whale
