#include "whale/model/dense_gqa/model.h"

#include <vector>

#include "whale/core/error.h"
#include "whale/core/scratch.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/norm.h"
#include "whale/model/blocks/token_io.h"

namespace whale {

DenseGqaModel::DenseGqaModel(const std::string& model_path, const ConfigFields& fields, const LoadOptions& options)
    : config_(dense_gqa_config_from_json(fields)),
      checkpoint_(std::make_unique<Checkpoint>(model_path)),
      loader_(std::make_unique<WeightLoader>(*checkpoint_, options)) {
    weights_ = load_dense_gqa_weights(*loader_, config_);
    gqa_shape_ = gqa_shape(config_);
    rope_ = std::make_unique<RopeTable>(config_.rope, config_.head_dim);
    summarize();
}

CacheLayout DenseGqaModel::cache_layout() const {
    return CacheLayout(config_.num_hidden_layers, {{CacheKind::CacheKind_dense_kv, config_.cache_width()}});
}

void DenseGqaModel::decoder_layer(float* hidden, const BatchLayout& layout, int layer, ThreadPool& pool) const {
    const DenseLayerWeights& w = weights_.layers[size_t(layer)];
    const int64_t n = layout.n_tokens, d = config_.hidden_size;
    thread_local std::vector<float> normed_storage, branch_storage;
    float* normed = scratch(normed_storage, size_t(n * d));  // [N, D]
    float* branch = scratch(branch_storage, size_t(n * d));  // [N, D]

    rmsnorm(normed, hidden, w.input_layernorm.data(), n, d, config_.rms_norm_eps);
    gqa_forward(branch, normed, layout, w.self_attn, gqa_shape_, *rope_, layer, pool);
    for (int64_t i = 0; i < n * d; ++i) hidden[i] += branch[i];

    rmsnorm(normed, hidden, w.post_attention_layernorm.data(), n, d, config_.rms_norm_eps);
    swiglu_forward(branch, normed, n, w.mlp, pool);
    for (int64_t i = 0; i < n * d; ++i) hidden[i] += branch[i];
}

void DenseGqaModel::forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const {
    // Reused from forward to forward, so that decode allocates nothing.
    thread_local BatchLayout layout;
    thread_local std::vector<float> hidden_storage;
    layout.assign(batch);
    float* hidden = scratch(hidden_storage, size_t(layout.n_tokens * config_.hidden_size));  // [N, D]
    embed_tokens(hidden, batch.tokens, layout.n_tokens, weights_.embed_tokens);
    for (int l = 0; l < config_.num_hidden_layers; ++l) {
        decoder_layer(hidden, layout, l, pool);
        if (batch.on_layer_output) batch.on_layer_output(l, hidden);
    }
    final_logits(logits, hidden, layout, weights_.norm, config_.rms_norm_eps, weights_.lm_head, pool);
}

namespace {

std::string rope_description(const RopeSettings& r) {
    if (r.llama3)
        return str_cat("llama3 factor ", r.factor, " (low_freq_factor ", r.low_freq_factor, ", high_freq_factor ",
                       r.high_freq_factor, ") from ", r.original_max_position);
    if (r.yarn) return str_cat("yarn factor ", r.factor, " from ", r.original_max_position);
    if (r.linear) return str_cat("linear factor ", r.factor);
    return "no scaling";
}

}  // namespace

void DenseGqaModel::summarize() {
    const DenseGqaConfig& c = config_;
    const int64_t d = c.hidden_size, h = c.num_attention_heads, kv = c.num_key_value_heads, dh = c.head_dim;
    int64_t attention = d * h * dh + 2 * d * kv * dh + h * dh * d;
    if (c.qkv_bias) attention += h * dh + 2 * kv * dh;
    if (c.o_bias) attention += d;
    if (c.qk_norm) attention += 2 * dh;
    const int64_t mlp = 3 * d * c.intermediate_size + (c.mlp_bias ? 2 * c.intermediate_size + d : 0);
    const int64_t per_layer = attention + mlp + 2 * d;
    ModelSummary& s = summary_;
    s.architecture = c.model_type;
    s.vocab_size = c.vocab_size;
    s.hidden_size = d;
    s.n_layers = c.num_hidden_layers;
    s.max_position = c.max_position_embeddings;
    s.n_params_total = c.vocab_size * d * (c.tie_word_embeddings ? 1 : 2) + d + per_layer * c.num_hidden_layers;
    s.n_params_active = s.n_params_total;  // dense: every weight works on every token
    s.weight_bytes = int64_t(loader_->loaded_bytes());
    // A decoded token reads every weight but the embedding, of which it reads one row (a tied
    // embedding is read whole as the head).
    s.weight_bytes_per_token =
        s.weight_bytes - (c.tie_word_embeddings ? 0 : weights_.embed_tokens.bytes() - weights_.embed_tokens.row_bytes());
    s.kv_values_per_token = int64_t(c.num_hidden_layers) * c.cache_width();
    s.mha_values_per_token = int64_t(c.num_hidden_layers) * 2 * h * dh;  // one K/V head per query head
    s.eos_token_ids = c.eos_token_ids;
    s.bos_token_id = c.bos_token_id;
    s.description = str_cat(c.model_type, ", ", c.num_hidden_layers, " dense layers, hidden ", d);
    std::string extras;
    if (c.qkv_bias) extras += c.o_bias ? ", q/k/v/o bias" : ", q/k/v bias";
    if (c.qk_norm) extras += ", QK-norm";
    s.details = {
        str_cat("attention: GQA, ", h, " query heads, ", kv, " KV heads (groups of ", h / kv, "), head_dim ", dh,
                extras),
        str_cat("mlp: SwiGLU, width ", c.intermediate_size, c.mlp_bias ? ", bias" : ""),
        str_cat("rope: theta ", c.rope.theta, ", ", rope_description(c.rope), ", half-split pairs, softmax scale ",
                c.softmax_scale()),
        str_cat("lm_head: ", c.tie_word_embeddings ? "tied to embed_tokens" : "separate"),
    };
}

}  // namespace whale
