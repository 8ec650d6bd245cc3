// DeepSeek-V3.2 (and V3.2-Speciale): V3's MLA + MoE with DeepSeek Sparse Attention. Each layer's
// lightning indexer picks at most index_topk earlier tokens per query and MLA attends only to
// those (docs/models/dsa.md). The cache row per token per layer is
// [kv_lora_rank latent | qk_rope_head_dim rope key | index_head_dim index key].
#pragma once

#include <vector>

#include "whale/model/blocks/dsa_indexer.h"
#include "whale/model/deepseek_v3/model.h"

namespace whale {

class DeepseekV32Model : public DeepseekV3Model {
public:
    DeepseekV32Model(const std::string& model_path, DeepseekConfig config, const LoadOptions& options);

    CacheLayout cache_layout() const override;

protected:
    void attention(float* out, const float* x, const BatchLayout& layout, int layer, AttentionPath path,
                   ThreadPool& pool) const override;

private:
    IndexerShape indexer_shape_;
    std::vector<IndexerWeights> indexers_;  // one per layer, then the MTP layer's when stored
};

}  // namespace whale
