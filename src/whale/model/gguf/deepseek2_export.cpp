#include "whale/model/gguf/deepseek2_export.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/formats/json/config_fields.h"
#include "whale/formats/safetensors/checkpoint.h"
#include "whale/model/deepseek_v3/weights.h"
#include "whale/model/gguf/deepseek2_keys.h"

namespace whale {

namespace {

// Collects the tensors in the order llama.cpp's converter writes them.
class Plan {
public:
    Plan(GgufFileType type, int n_layers) : type_(type), n_layers_(n_layers) {}

    void vector(const std::string& name, const std::vector<float>& v) {
        auto data = std::make_shared<std::vector<float>>(v);
        add(name, {int64_t(v.size())}, [data](int64_t, float* out) { std::copy(data->begin(), data->end(), out); });
    }
    void matrix(const std::string& name, const Linear& l) {
        WHALE_CHECK(l.bias.empty(), "tensor '", name, "': the deepseek2 GGUF layout has no linear biases");
        matrix(name, l.weight);
    }
    void matrix(const std::string& name, const WeightMatrix& w) { add(name, {w.cols, w.rows}, matrix_rows(w)); }
    void add(const std::string& name, std::vector<int64_t> ne, std::function<void(int64_t, float*)> row) {
        RowTensor t;
        t.name = name;
        t.type = gguf_tensor_type(type_, name, int(ne.size()), ne[0], n_layers_);
        t.ne = std::move(ne);
        t.row = std::move(row);
        tensors.push_back(std::move(t));
    }
    std::vector<RowTensor> tensors;

private:
    GgufFileType type_;
    int n_layers_;
};

// ffn_{gate,up,down}_exps: [E, rows, cols] torch order, row r of the stack = expert r / rows.
void stacked_experts(Plan& plan, const std::string& name, const std::vector<SwigluWeights>& experts,
                     const Linear SwigluWeights::*member) {
    const WeightMatrix first = (experts[0].*member).weight;
    auto mats = std::make_shared<std::vector<WeightMatrix>>();
    for (const SwigluWeights& e : experts) {
        WHALE_CHECK((e.*member).bias.empty(), "tensor '", name, "': the deepseek2 GGUF layout has no expert biases");
        mats->push_back((e.*member).weight);
    }
    const int64_t rows = first.rows;
    plan.add(name, {first.cols, rows, int64_t(experts.size())}, [mats, rows](int64_t r, float* out) {
        weight_dequantize_row(out, (*mats)[size_t(r / rows)], r % rows);
    });
}

void add_attention(Plan& plan, const std::string& p, const MlaWeights& w, const DeepseekConfig& c) {
    if (c.q_lora_rank > 0) {
        plan.matrix(p + "attn_q_a.weight", w.q_a_proj);
        plan.vector(p + "attn_q_a_norm.weight", w.q_a_layernorm);
        plan.matrix(p + "attn_q_b.weight", w.q_b_proj);
    } else {
        plan.matrix(p + "attn_q.weight", w.q_proj);
    }
    plan.matrix(p + "attn_kv_a_mqa.weight", w.kv_a_proj_with_mqa);
    plan.vector(p + "attn_kv_a_norm.weight", w.kv_a_layernorm);
    // kv_b_proj [H·(Dn+Dv), C]: attn_k_b is [H, C, Dn] (each head's key rows transposed),
    // attn_v_b is [H, Dv, C] (each head's value rows as they are).
    WHALE_CHECK(w.kv_b_proj.bias.empty(), p, "attn_kv_b: the deepseek2 GGUF layout has no biases");
    const WeightMatrix kv_b = w.kv_b_proj.weight;
    const int64_t h = c.num_attention_heads, dn = c.qk_nope_head_dim, dv = c.v_head_dim, cr = c.kv_lora_rank;
    auto kv_b_f32 = std::make_shared<std::vector<float>>();  // [H·(Dn+Dv), C], filled on first use
    plan.add(p + "attn_k_b.weight", {dn, cr, h}, [kv_b, kv_b_f32, dn, dv, cr](int64_t r, float* out) {
        if (kv_b_f32->empty()) {
            kv_b_f32->resize(size_t(kv_b.rows * cr));
            for (int64_t i = 0; i < kv_b.rows; ++i) weight_dequantize_row(kv_b_f32->data() + i * cr, kv_b, i);
        }
        const int64_t head = r / cr, latent = r % cr;
        for (int64_t j = 0; j < dn; ++j) out[j] = (*kv_b_f32)[size_t((head * (dn + dv) + j) * cr + latent)];
    });
    plan.add(p + "attn_v_b.weight", {cr, dv, h}, [kv_b, dn, dv](int64_t r, float* out) {
        weight_dequantize_row(out, kv_b, (r / dv) * (dn + dv) + dn + r % dv);
    });
    plan.matrix(p + "attn_output.weight", w.o_proj);
}

void add_ffn(Plan& plan, const std::string& p, const DecoderLayerWeights& w) {
    if (!w.is_moe) {
        plan.matrix(p + "ffn_gate.weight", w.mlp.gate_proj);
        plan.matrix(p + "ffn_up.weight", w.mlp.up_proj);
        plan.matrix(p + "ffn_down.weight", w.mlp.down_proj);
        return;
    }
    plan.matrix(p + "ffn_gate_inp.weight", w.moe.gate);
    if (!w.moe.e_score_correction_bias.empty()) plan.vector(p + "exp_probs_b.bias", w.moe.e_score_correction_bias);
    stacked_experts(plan, p + "ffn_gate_exps.weight", w.moe.experts, &SwigluWeights::gate_proj);
    stacked_experts(plan, p + "ffn_down_exps.weight", w.moe.experts, &SwigluWeights::down_proj);
    stacked_experts(plan, p + "ffn_up_exps.weight", w.moe.experts, &SwigluWeights::up_proj);
    if (!w.moe.shared_experts.empty()) {
        plan.matrix(p + "ffn_gate_shexp.weight", w.moe.shared_experts.gate_proj);
        plan.matrix(p + "ffn_down_shexp.weight", w.moe.shared_experts.down_proj);
        plan.matrix(p + "ffn_up_shexp.weight", w.moe.shared_experts.up_proj);
    }
}

}  // namespace

GgufWriteSummary convert_deepseek_to_gguf(const std::string& hf_dir, const DeepseekConfig& config,
                                          const std::string& out_path, GgufFileType type, bool show_progress) {
    WHALE_CHECK(config.moe_layers.empty(), hf_dir, ": mlp_layer_types has no deepseek2 GGUF key");
    Checkpoint checkpoint(hf_dir);
    WeightLoader loader(checkpoint);
    const DeepseekWeights w = load_deepseek_weights(loader, config);

    std::vector<GgufKeyValue> metadata = deepseek2_metadata(config, hf_dir, type);
    Plan plan(type, config.num_hidden_layers);
    plan.matrix("token_embd.weight", w.embed_tokens);
    for (int l = 0; l < config.num_hidden_layers; ++l) {
        const DecoderLayerWeights& layer = w.layers[size_t(l)];
        const std::string p = str_cat("blk.", l, ".");
        plan.vector(p + "attn_norm.weight", layer.input_layernorm);
        add_attention(plan, p, layer.self_attn, config);
        plan.vector(p + "ffn_norm.weight", layer.post_attention_layernorm);
        add_ffn(plan, p, layer);
    }
    plan.vector("output_norm.weight", w.norm);
    plan.matrix("output.weight", w.lm_head);
    return write_gguf_rows(out_path, metadata, plan.tensors, show_progress);
}

}  // namespace whale
