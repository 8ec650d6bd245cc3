#include "whale/model/deepseek_v32/model.h"

#include "whale/core/error.h"

namespace whale {

DeepseekV32Model::DeepseekV32Model(const std::string& model_path, DeepseekConfig config, const LoadOptions& options)
    : DeepseekV3Model(model_path, std::move(config), options) {
    const DeepseekConfig& c = this->config();
    WHALE_CHECK(c.has_indexer(), model_path, ": deepseek_v32 needs index_n_heads, index_head_dim, index_topk");
    IndexerShape& s = indexer_shape_;
    s.hidden_size = c.hidden_size;
    s.q_lora_rank = c.q_lora_rank;
    s.n_heads = c.index_n_heads;
    s.head_dim = c.index_head_dim;
    s.rope_dim = c.qk_rope_head_dim;
    s.top_k = c.index_topk;
    s.key_offset = cache_layout().offset(0, CacheKind::CacheKind_index_key);
    for (int l = 0; l < c.num_hidden_layers; ++l)
        indexers_.push_back(load_indexer(loader(), str_cat("model.layers.", l, ".self_attn.indexer"), s));
    // The MTP layer's attention is DSA too when its checkpoint stores an indexer for it.
    const std::string mtp_indexer = str_cat("model.layers.", c.num_hidden_layers, ".self_attn.indexer");
    if (mtp() && loader().has(mtp_indexer + ".wq_b.weight")) indexers_.push_back(load_indexer(loader(), mtp_indexer, s));

    ModelSummary& summary = mutable_summary();
    const int64_t per_layer = s.n_heads * s.head_dim * s.q_lora_rank + s.head_dim * s.hidden_size + 2 * s.head_dim +
                              s.n_heads * s.hidden_size;
    summary.n_params_total += per_layer * c.num_hidden_layers;
    summary.n_params_active += per_layer * c.num_hidden_layers;
    if (indexers_.size() > size_t(c.num_hidden_layers)) summary.n_params_mtp += per_layer;
    summary.weight_bytes = int64_t(loader().loaded_bytes());
    for (const IndexerWeights& w : indexers_)
        summary.weight_bytes_per_token += w.wq_b.weight.bytes() + w.wk.weight.bytes() + w.weights_proj.bytes();
    summary.kv_values_per_token += int64_t(c.num_hidden_layers) * s.head_dim;
    summary.description += ", DeepSeek Sparse Attention";
    summary.details.push_back(str_cat("indexer: ", s.n_heads, " heads of ", s.head_dim, ", top-", s.top_k,
                                      " tokens per query"));
}

CacheLayout DeepseekV32Model::cache_layout() const {
    // The index key sits beside the latent, so a block or a prefix hit always carries both.
    return CacheLayout(config().num_hidden_layers, {{CacheKind::CacheKind_latent, config().latent_cache_width()},
                                                    {CacheKind::CacheKind_index_key, indexer_shape_.head_dim}});
}

void DeepseekV32Model::attention(float* out, const float* x, const BatchLayout& layout, int layer, AttentionPath path,
                                 ThreadPool& pool) const {
    // Only an MTP layer stored without an indexer lands here; it attends densely.
    if (size_t(layer) >= indexers_.size()) return DeepseekV3Model::attention(out, x, layout, layer, path, pool);
    const MlaWeights& w = layer_weights(layer).self_attn;
    // Reused from layer to layer and step to step: decode allocates nothing.
    thread_local MlaQueries queries;
    thread_local std::vector<KeySelection> selections;
    thread_local std::vector<const KeySelection*> pointers;
    mla_project_queries(queries, x, layout, w, mla(), rope(), pool);
    mla_write_latents(x, layout, w, mla(), rope(), layer, pool);
    indexer_write_keys(x, layout, indexers_[size_t(layer)], indexer_shape_, rope(), layer, pool);
    indexer_select(selections, x, queries.q_latent.data(), layout, indexers_[size_t(layer)], indexer_shape_, rope(),
                   layer, pool);
    pointers.clear();
    for (const KeySelection& s : selections) pointers.push_back(&s);
    mla_attend(out, queries, layout, w, mla(), layer, path, pointers, pool);
}

}  // namespace whale
