#include "whale/model/dense_gqa/generation.h"

#include "whale/model/dense_gqa/model.h"

namespace whale {

namespace {

std::unique_ptr<CausalLM> load(const std::string& dir, const ConfigFields& config, const LoadOptions& options) {
    return std::make_unique<DenseGqaModel>(dir, config, options);
}

// K and V per KV head per layer per token.
KvArchitecture gqa_kv_architecture(const ConfigFields& f) {
    KvArchitecture a;
    a.name = f.require_string("model_type");
    a.n_layers = int(f.require_int("num_hidden_layers"));
    a.n_heads = f.require_int("num_attention_heads");
    a.n_kv_heads = f.get_int("num_key_value_heads", a.n_heads);
    a.gqa_head_dim = f.get_int("head_dim", f.require_int("hidden_size") / a.n_heads);
    a.qk_head_dim = a.v_head_dim = a.gqa_head_dim;
    return a;
}

// The distills' chat template (R1 rules, last system message only) decides their chat format.
ModelGeneration dense(const char* model_type, const char* hf_architecture) {
    return {.model_type = model_type, .hf_architecture = hf_architecture, .load = load,
            .kv_architecture = gqa_kv_architecture};
}

}  // namespace

const ModelGeneration& qwen2_generation() {
    static const ModelGeneration generation = dense("qwen2", "Qwen2ForCausalLM");
    return generation;
}

const ModelGeneration& llama_generation() {
    static const ModelGeneration generation = dense("llama", "LlamaForCausalLM");
    return generation;
}

const ModelGeneration& qwen3_generation() {
    static const ModelGeneration generation = dense("qwen3", "Qwen3ForCausalLM");
    return generation;
}

}  // namespace whale
