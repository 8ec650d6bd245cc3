// Grouped-query attention (GQA) with rotary positions, as in Llama, Qwen2 and Qwen3: H query heads
// share Hkv key/value heads in groups of H / Hkv (Hkv = H is plain multi-head attention, 1 is MQA).
// Per token the cache row of a layer holds the rotated keys then the values of every KV head:
// [Hkv·Dh keys | Hkv·Dh values]. RoPE pairs are half-split (x[i], x[i + Dh/2]), transformers'
// rotate_half. Optional pieces: q/k/v (and o) biases, and Qwen3's QK-norm, an RMSNorm over each
// head's Dh values of q and k before RoPE.
#pragma once

#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/blocks/batch_layout.h"
#include "whale/model/blocks/rope_yarn.h"
#include "whale/model/latent_kv_store.h"
#include "whale/model/weight_loader.h"

namespace whale {

struct GqaShape {
    int64_t hidden_size = 0;  // D
    int64_t n_heads = 0;      // H, query heads
    int64_t n_kv_heads = 0;   // Hkv, divides H
    int64_t head_dim = 0;     // Dh, even
    bool qkv_bias = false;    // q_proj, k_proj, v_proj carry biases
    bool o_bias = false;      // o_proj carries a bias
    bool qk_norm = false;     // q_norm / k_norm weights [Dh] present (Qwen3)
    float eps = 1e-6f;        // for q_norm and k_norm
    float softmax_scale = 0.0f;

    int64_t group_size() const { return n_heads / n_kv_heads; }
    int64_t kv_width() const { return n_kv_heads * head_dim; }
    int64_t cache_width() const { return 2 * kv_width(); }
};

struct GqaWeights {
    Linear q_proj;              // [H·Dh, D]
    Linear k_proj;              // [Hkv·Dh, D]
    Linear v_proj;              // [Hkv·Dh, D]
    Linear o_proj;              // [D, H·Dh]
    std::vector<float> q_norm;  // [Dh], only with QK-norm
    std::vector<float> k_norm;  // [Dh], only with QK-norm
};

GqaWeights load_gqa(WeightLoader& loader, const std::string& prefix, const GqaShape& shape);

// Positions per key tile of gqa_attend's online softmax. A query block reads the tile's values
// once per query, so one KV head's slice of the tile (2 · 256 · Dh floats, 256 KiB at Dh = 128)
// should stay in L2.
constexpr int64_t gqa_attend_tile = 256;

// o [n, H, Dh] = causal softmax attention of queries q [n, H, Dh] (normed, rotated) at positions
// start .. start+n-1 over the cached keys and values [0, start + n) of `layer`, taken `tile`
// positions at a time with an online softmax (flash attention), so no full score row is held.
void gqa_attend(float* o, const float* q, int64_t n, int64_t start, const GqaShape& shape, LatentKvStore& cache,
                int layer, int64_t tile, ThreadPool& pool);

// out [N, D] = attention of every sequence of the batch over its cache positions [0, start + n)
// for x [N, D] (the normalised layer input). Writes the new tokens' cache rows of `layer` first.
// The q and o projections run once for all N tokens.
void gqa_forward(float* out, const float* x, const BatchLayout& layout, const GqaWeights& w, const GqaShape& shape,
                 const RopeTable& rope, int layer, ThreadPool& pool);

}  // namespace whale
