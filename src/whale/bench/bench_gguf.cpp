#include "whale/bench/bench_gguf.h"

#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/core/random_normal.h"
#include "whale/model/deepseek_v2/generation.h"
#include "whale/model/gguf/deepseek2_keys.h"

namespace whale {

namespace {

constexpr float weight_stddev = 0.02f;  // V2-Lite's initializer_range

// GPT-2's byte-level alphabet: printable bytes stand for themselves, the rest map to U+0100 on.
std::string gpt2_byte_token(int byte) {
    const bool printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
    int code = byte;
    if (!printable) {
        int shifted = 0;
        for (int b = 0; b < byte; ++b)
            if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) ++shifted;
        code = 256 + shifted;
    }
    std::string utf8;
    if (code < 0x80) {
        utf8 += char(code);
    } else {
        utf8 += char(0xC0 | (code >> 6));
        utf8 += char(0x80 | (code & 0x3F));
    }
    return utf8;
}

std::vector<GgufKeyValue> minimal_vocabulary(const DeepseekConfig& c) {
    std::vector<std::string> tokens(static_cast<size_t>(c.vocab_size));
    std::vector<GgufValue> types;
    for (int64_t id = 0; id < c.vocab_size; ++id) {
        int32_t type = 1;  // normal
        if (id < 256) {
            tokens[size_t(id)] = gpt2_byte_token(int(id));
        } else if (id == c.bos_token_id) {
            tokens[size_t(id)] = "<｜begin▁of▁sentence｜>", type = 3;  // control
        } else if (id == c.eos_token_ids.front()) {
            tokens[size_t(id)] = "<｜end▁of▁sentence｜>", type = 3;
        } else {
            tokens[size_t(id)] = str_cat("[bench", id, "]");
        }
        types.push_back(gguf_i32(type));
    }
    std::vector<GgufKeyValue> m;
    m.push_back({"tokenizer.ggml.model", gguf_string("gpt2")});
    m.push_back({"tokenizer.ggml.pre", gguf_string("deepseek-llm")});
    m.push_back({"tokenizer.ggml.tokens", gguf_string_array(tokens)});
    m.push_back({"tokenizer.ggml.token_type", gguf_array(GgufType::GgufType_int32, types)});
    m.push_back({"tokenizer.ggml.merges", gguf_string_array({})});
    m.push_back({"tokenizer.ggml.bos_token_id", gguf_u32(uint32_t(c.bos_token_id))});
    m.push_back({"tokenizer.ggml.eos_token_id", gguf_u32(uint32_t(c.eos_token_ids.front()))});
    m.push_back({"tokenizer.ggml.add_bos_token", gguf_bool(true)});
    return m;
}

// The tensor list of deepseek2_export.cpp, with random rows instead of checkpoint rows.
class RandomPlan {
public:
    RandomPlan(GgufFileType type, int n_layers, uint64_t seed) : type_(type), n_layers_(n_layers), seed_(seed) {}

    void norm(const std::string& name, int64_t n) {
        add(name, {n}, [](int64_t, float* out, int64_t cols) { std::fill(out, out + cols, 1.0f); });
    }
    void matrix(const std::string& name, std::vector<int64_t> ne) {
        const uint64_t seed = seed_, index = tensors.size();
        add(name, std::move(ne), [seed, index](int64_t row, float* out, int64_t cols) {
            random_normal_row(out, cols, weight_stddev, seed, index, uint64_t(row));
        });
    }
    std::vector<RowTensor> tensors;

private:
    void add(const std::string& name, std::vector<int64_t> ne, std::function<void(int64_t, float*, int64_t)> fill) {
        RowTensor t;
        t.name = name;
        t.type = gguf_tensor_type(type_, name, int(ne.size()), ne[0], n_layers_);
        const int64_t cols = ne[0];
        t.ne = std::move(ne);
        t.row = [fill = std::move(fill), cols](int64_t row, float* out) { fill(row, out, cols); };
        tensors.push_back(std::move(t));
    }

    GgufFileType type_;
    int n_layers_;
    uint64_t seed_;
};

void plan_layer(RandomPlan& plan, const DeepseekConfig& c, int layer) {
    const std::string p = str_cat("blk.", layer, ".");
    const int64_t d = c.hidden_size, h = c.num_attention_heads, cr = c.kv_lora_rank;
    plan.norm(p + "attn_norm.weight", d);
    if (c.q_lora_rank > 0) {
        plan.matrix(p + "attn_q_a.weight", {d, c.q_lora_rank});
        plan.norm(p + "attn_q_a_norm.weight", c.q_lora_rank);
        plan.matrix(p + "attn_q_b.weight", {c.q_lora_rank, h * c.qk_head_dim()});
    } else {
        plan.matrix(p + "attn_q.weight", {d, h * c.qk_head_dim()});
    }
    plan.matrix(p + "attn_kv_a_mqa.weight", {d, cr + c.qk_rope_head_dim});
    plan.norm(p + "attn_kv_a_norm.weight", cr);
    plan.matrix(p + "attn_k_b.weight", {c.qk_nope_head_dim, cr, h});
    plan.matrix(p + "attn_v_b.weight", {cr, c.v_head_dim, h});
    plan.matrix(p + "attn_output.weight", {h * c.v_head_dim, d});
    plan.norm(p + "ffn_norm.weight", d);
    if (!c.layer_is_moe(layer)) {
        plan.matrix(p + "ffn_gate.weight", {d, c.intermediate_size});
        plan.matrix(p + "ffn_up.weight", {d, c.intermediate_size});
        plan.matrix(p + "ffn_down.weight", {c.intermediate_size, d});
        return;
    }
    const int64_t e = c.n_routed_experts, ie = c.moe_intermediate_size;
    plan.matrix(p + "ffn_gate_inp.weight", {d, e});
    plan.matrix(p + "ffn_gate_exps.weight", {d, ie, e});
    plan.matrix(p + "ffn_down_exps.weight", {ie, d, e});
    plan.matrix(p + "ffn_up_exps.weight", {d, ie, e});
    if (c.n_shared_experts > 0) {
        const int64_t is = ie * c.n_shared_experts;
        plan.matrix(p + "ffn_gate_shexp.weight", {d, is});
        plan.matrix(p + "ffn_down_shexp.weight", {is, d});
        plan.matrix(p + "ffn_up_shexp.weight", {d, is});
    }
}

}  // namespace

DeepseekConfig v2_lite_bench_config(int n_layers) {
    nlohmann::json j = {
        {"model_type", "deepseek_v2"},     {"vocab_size", 102400},
        {"hidden_size", 2048},             {"intermediate_size", 10944},
        {"moe_intermediate_size", 1408},   {"num_hidden_layers", n_layers},
        {"num_attention_heads", 16},       {"num_key_value_heads", 16},
        {"q_lora_rank", nullptr},          {"kv_lora_rank", 512},
        {"qk_nope_head_dim", 128},         {"qk_rope_head_dim", 64},
        {"v_head_dim", 128},               {"n_routed_experts", 64},
        {"n_shared_experts", 2},           {"num_experts_per_tok", 6},
        {"n_group", 1},                    {"topk_group", 1},
        {"topk_method", "greedy"},         {"scoring_func", "softmax"},
        {"norm_topk_prob", false},         {"routed_scaling_factor", 1.0},
        {"first_k_dense_replace", 1},      {"moe_layer_freq", 1},
        {"rms_norm_eps", 1e-6},            {"max_position_embeddings", 163840},
        {"rope_theta", 10000},             {"bos_token_id", 100000},
        {"eos_token_id", 100001},          {"tie_word_embeddings", false},
        {"rope_scaling",
         {{"type", "yarn"}, {"factor", 40}, {"original_max_position_embeddings", 4096}, {"beta_fast", 32},
          {"beta_slow", 1}, {"mscale", 0.707}, {"mscale_all_dim", 0.707}}},
    };
    return deepseek_config_from_json(ConfigFields(j, "DeepSeek-V2-Lite bench config"), deepseek_v2_rules());
}

GgufWriteSummary write_bench_gguf(const std::string& path, const std::string& name, const DeepseekConfig& c,
                                  GgufFileType type, uint64_t seed, bool show_progress) {
    WHALE_CHECK(c.bos_token_id >= 256 && !c.eos_token_ids.empty() && c.eos_token_ids.front() >= 256,
                "bench model: BOS/EOS ids must lie above the 256 byte tokens");
    std::vector<GgufKeyValue> metadata;
    for (GgufKeyValue& kv : deepseek2_metadata(c, "", type)) {
        if (kv.key.rfind("tokenizer.", 0) == 0) continue;  // ours below, whatever tokenizer.json the cwd has
        if (kv.key == "general.name") kv.value = gguf_string(name);
        metadata.push_back(std::move(kv));
    }
    for (GgufKeyValue& kv : minimal_vocabulary(c)) metadata.push_back(std::move(kv));

    RandomPlan plan(type, c.num_hidden_layers, seed);
    plan.matrix("token_embd.weight", {c.hidden_size, c.vocab_size});
    for (int l = 0; l < c.num_hidden_layers; ++l) plan_layer(plan, c, l);
    plan.norm("output_norm.weight", c.hidden_size);
    plan.matrix("output.weight", {c.hidden_size, c.vocab_size});
    return write_gguf_rows(path, metadata, plan.tensors, show_progress);
}

}  // namespace whale
