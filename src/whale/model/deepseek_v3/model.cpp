#include "whale/model/deepseek_v3/model.h"

#include <algorithm>
#include <vector>

#include "whale/core/error.h"
#include "whale/core/scratch.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/norm.h"
#include "whale/model/blocks/token_io.h"
#include "whale/model/blocks/moe_ffn.h"

namespace whale {

DeepseekV3Model::DeepseekV3Model(const std::string& model_path, DeepseekConfig config, const LoadOptions& options)
    : config_(std::move(config)),
      checkpoint_(std::make_unique<Checkpoint>(model_path)),
      loader_(std::make_unique<WeightLoader>(*checkpoint_, options)) {
    weights_ = load_deepseek_weights(*loader_, config_);
    weight_bytes_ = loader_->loaded_bytes();
    mla_shape_ = mla_shape(config_);
    router_ = router_settings(config_);
    rope_ = std::make_unique<RopeTable>(config_.rope, config_.qk_rope_head_dim);
    summarize();
}

DeepseekV3Model::DeepseekV3Model(DeepseekConfig config, DeepseekWeights weights, std::shared_ptr<const void> storage,
                                 uint64_t weight_bytes)
    : config_(std::move(config)), storage_(std::move(storage)), weights_(std::move(weights)), weight_bytes_(weight_bytes) {
    mla_shape_ = mla_shape(config_);
    router_ = router_settings(config_);
    rope_ = std::make_unique<RopeTable>(config_.rope, config_.qk_rope_head_dim);
    summarize();
}

CacheLayout DeepseekV3Model::cache_layout() const {
    return CacheLayout(config_.num_hidden_layers, {{CacheKind::CacheKind_latent, config_.latent_cache_width()}});
}

const DecoderLayerWeights& DeepseekV3Model::layer_weights(int layer) const {
    if (layer == config_.num_hidden_layers && weights_.mtp) return weights_.mtp->layer;
    return weights_.layers.at(size_t(layer));
}

void DeepseekV3Model::attention(float* out, const float* x, const BatchLayout& layout, int layer, AttentionPath path,
                                ThreadPool& pool) const {
    const MlaWeights& w = layer_weights(layer).self_attn;
    thread_local MlaQueries queries;  // reused: decode allocates nothing
    mla_project_queries(queries, x, layout, w, mla_shape_, *rope_, pool);
    mla_write_latents(x, layout, w, mla_shape_, *rope_, layer, pool);
    mla_attend(out, queries, layout, w, mla_shape_, layer, path, {}, pool);
}

void DeepseekV3Model::decoder_layer(float* hidden, const BatchLayout& layout, int layer, AttentionPath path,
                                    ThreadPool& pool) const {
    const DecoderLayerWeights& w = layer_weights(layer);
    const int64_t n = layout.n_tokens, d = config_.hidden_size;
    thread_local std::vector<float> normed_storage, branch_storage;
    float* normed = scratch(normed_storage, size_t(n * d));  // [N, D]
    float* branch = scratch(branch_storage, size_t(n * d));  // [N, D]

    rmsnorm(normed, hidden, w.input_layernorm.data(), n, d, config_.rms_norm_eps);
    attention(branch, normed, layout, layer, path, pool);
    for (int64_t i = 0; i < n * d; ++i) hidden[i] += branch[i];

    // The FFN sees every sequence's tokens at once, so each expert's weights are read once.
    rmsnorm(normed, hidden, w.post_attention_layernorm.data(), n, d, config_.rms_norm_eps);
    if (w.is_moe)
        moe_forward(branch, normed, n, w.moe, router_, pool);
    else
        swiglu_forward(branch, normed, n, w.mlp, pool);
    for (int64_t i = 0; i < n * d; ++i) hidden[i] += branch[i];
}

void DeepseekV3Model::forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const {
    // Reused from forward to forward, so that decode allocates nothing.
    thread_local BatchLayout layout;
    thread_local std::vector<float> hidden_storage;
    layout.assign(batch);
    float* hidden = scratch(hidden_storage, size_t(layout.n_tokens * config_.hidden_size));  // [N, D]
    embed_tokens(hidden, batch.tokens, layout.n_tokens, weights_.embed_tokens);
    for (int l = 0; l < config_.num_hidden_layers; ++l) {
        decoder_layer(hidden, layout, l, batch.attention, pool);
        if (batch.on_layer_output) batch.on_layer_output(l, hidden);
    }
    if (batch.final_hidden)
        rmsnorm(batch.final_hidden, hidden, weights_.norm.data(), layout.n_tokens, config_.hidden_size,
                config_.rms_norm_eps);
    final_logits(logits, hidden, layout, weights_.norm, config_.rms_norm_eps, weights_.lm_head, pool);
}

namespace {

int64_t swiglu_bytes(const SwigluWeights& w) {
    return w.gate_proj.weight.bytes() + w.up_proj.weight.bytes() + w.down_proj.weight.bytes();
}

// Weight bytes one decoded token reads (ModelSummary::weight_bytes_per_token); a layer's routed
// experts count as k / E of their bytes, the expected share the router picks.
int64_t decode_weight_bytes(const DeepseekWeights& w, const DeepseekConfig& c) {
    int64_t bytes = w.embed_tokens.row_bytes() + w.lm_head.bytes();
    for (const DecoderLayerWeights& layer : w.layers) {
        const MlaWeights& a = layer.self_attn;
        for (const Linear* l : {&a.q_proj, &a.q_a_proj, &a.q_b_proj, &a.kv_a_proj_with_mqa, &a.kv_b_proj, &a.o_proj})
            if (!l->weight.empty()) bytes += l->weight.bytes();
        if (!layer.is_moe) {
            bytes += swiglu_bytes(layer.mlp);
            continue;
        }
        bytes += layer.moe.gate.bytes();
        if (!layer.moe.shared_experts.gate_proj.weight.empty()) bytes += swiglu_bytes(layer.moe.shared_experts);
        int64_t routed = 0;
        for (const SwigluWeights& e : layer.moe.experts) routed += swiglu_bytes(e);
        bytes += routed * c.num_experts_per_tok / std::max<int64_t>(1, int64_t(layer.moe.experts.size()));
    }
    return bytes;
}

}  // namespace

void DeepseekV3Model::summarize() {
    const DeepseekConfig& c = config_;
    const int64_t d = c.hidden_size, h = c.num_attention_heads;
    int64_t attention = 2 * d + c.kv_lora_rank + d * c.latent_cache_width() +
                        c.kv_lora_rank * h * (c.qk_nope_head_dim + c.v_head_dim) + h * c.v_head_dim * d;
    attention += c.q_lora_rank > 0 ? d * c.q_lora_rank + c.q_lora_rank + c.q_lora_rank * h * c.qk_head_dim()
                                   : d * h * c.qk_head_dim();
    const int64_t expert = 3 * d * c.moe_intermediate_size;
    int64_t total = c.vocab_size * d * (c.tie_word_embeddings ? 1 : 2) + d, active = total;
    int n_moe = 0;
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        if (c.layer_is_moe(l)) {
            ++n_moe;
            int64_t shared = expert * c.n_shared_experts + c.n_routed_experts * d;
            total += attention + shared + expert * c.n_routed_experts;
            active += attention + shared + expert * c.num_experts_per_tok;
        } else {
            total += attention + 3 * d * c.intermediate_size;
            active += attention + 3 * d * c.intermediate_size;
        }
    }
    ModelSummary& s = summary_;
    s.architecture = c.model_type;
    s.vocab_size = c.vocab_size;
    s.hidden_size = d;
    s.n_layers = c.num_hidden_layers;
    s.max_position = c.max_position_embeddings;
    s.n_params_total = total;
    s.n_params_active = active;
    if (weights_.mtp) s.n_params_mtp = 2 * d * d + 3 * d + attention + expert * (c.n_routed_experts + c.n_shared_experts) + c.n_routed_experts * d;
    s.weight_bytes = int64_t(weight_bytes_);
    s.weight_bytes_per_token = decode_weight_bytes(weights_, c);
    s.kv_values_per_token = int64_t(c.num_hidden_layers) * c.latent_cache_width();
    s.mha_values_per_token = int64_t(c.num_hidden_layers) * h * (c.qk_head_dim() + c.v_head_dim);
    s.eos_token_ids = c.eos_token_ids;
    s.bos_token_id = c.bos_token_id;
    s.description = str_cat(c.model_type, ", ", c.num_hidden_layers, " layers (", c.num_hidden_layers - n_moe,
                            " dense, ", n_moe, " MoE), hidden ", d);
    auto scoring = c.scoring_func == ScoringFunc::ScoringFunc_softmax ? "softmax" : "sigmoid";
    const char* methods[] = {"greedy", "group_limited_greedy", "noaux_tc"};
    s.details = {
        str_cat("attention: MLA, ", h, " heads, q_lora_rank ", c.q_lora_rank ? std::to_string(c.q_lora_rank) : "none",
                ", kv_lora_rank ", c.kv_lora_rank, ", qk ", c.qk_nope_head_dim, "+", c.qk_rope_head_dim, ", v ",
                c.v_head_dim),
        str_cat("experts: ", c.n_routed_experts, " routed (top ", c.num_experts_per_tok, ", width ",
                c.moe_intermediate_size, "), ", c.n_shared_experts, " shared; routing ", scoring, " ",
                methods[int(c.topk_method)], ", groups ", c.n_group, "/", c.topk_group, ", scale ",
                c.routed_scaling_factor),
        str_cat("rope: theta ", c.rope.theta, c.rope.yarn ? str_cat(", yarn factor ", c.rope.factor, " from ",
                                                                     c.rope.original_max_position)
                                                          : std::string(", no scaling"),
                ", softmax scale ", c.softmax_scale()),
        str_cat("mtp: ", weights_.mtp ? "1 layer loaded" : (c.num_nextn_predict_layers ? "declared, weights absent" : "none")),
    };
}

}  // namespace whale
