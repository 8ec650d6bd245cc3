// The lightning indexer of DeepSeek Sparse Attention (V3.2; docs/models/dsa.md): per query
// it scores every visible token with a few cheap ReLU heads and keeps the top-k, and MLA then
// attends only to those. Index keys are cached beside the MLA latent in the same cache row.
#pragma once

#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/blocks/batch_layout.h"
#include "whale/model/blocks/mla_attention.h"
#include "whale/model/blocks/rope_yarn.h"
#include "whale/model/weight_loader.h"

namespace whale {

// Index heads at most: index_scores keeps a block of their dot products on the stack (V3.2 has 64).
constexpr int64_t max_index_heads = 128;

struct IndexerShape {
    int64_t hidden_size = 0;  // D
    int64_t q_lora_rank = 0;  // Kq
    int64_t n_heads = 0;      // Hi, index_n_heads
    int64_t head_dim = 0;     // Di, index_head_dim
    int64_t rope_dim = 0;     // Dr: the first Dr dims of q and k are rotated (half-split pairs)
    int64_t top_k = 0;        // index_topk
    int64_t key_offset = 0;   // where the index key sits in the cache row (after the MLA latent)
};

struct IndexerWeights {
    Linear wq_b;                    // [Hi·Di, Kq]
    Linear wk;                      // [Di, D]
    std::vector<float> k_norm_weight; // [Di] LayerNorm
    std::vector<float> k_norm_bias;   // [Di]
    WeightMatrix weights_proj;      // [Hi, D]
};

IndexerWeights load_indexer(WeightLoader& loader, const std::string& prefix, const IndexerShape& shape);

// Stores k = RoPE(LayerNorm(x · wkᵀ)) for x [N, D] into each token's cache row at key_offset.
void indexer_write_keys(const float* x, const BatchLayout& layout, const IndexerWeights& w, const IndexerShape& shape,
                        const RopeTable& rope, int layer, ThreadPool& pool);

// Per sequence, the keys each query keeps: the top-min(k, visible) of
// I(t, s) = Σ_h ω_h · ReLU(q_h · k_s / √Di), ω = x · W_wᵀ / √Hi, over visible s ≤ position(t).
// x [N, D] the layer input, q_latent [N, Kq] the MLA query latent. Keys must already be written.
// Fills `selections` (one per sequence), reusing its storage when the caller keeps it.
void indexer_select(std::vector<KeySelection>& selections, const float* x, const float* q_latent,
                    const BatchLayout& layout, const IndexerWeights& w, const IndexerShape& shape,
                    const RopeTable& rope, int layer, ThreadPool& pool);

}  // namespace whale
