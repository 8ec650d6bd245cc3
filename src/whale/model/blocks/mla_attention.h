// Multi-head latent attention (MLA) for DeepSeek V2/V3 (docs/models/mla.md).
// Per token it caches only the normalised KV latent c [C] and the rotated rope key k^R [Dr].
// Two formulations produce the same output: the explicit one expands c into per-head keys and
// values with kv_b_proj; the absorbed one folds kv_b_proj into the query and the output and
// attends directly over the cached latents, which is what makes decode cheap.
#pragma once

#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/blocks/batch_layout.h"
#include "whale/model/blocks/rope_yarn.h"
#include "whale/model/causal_lm.h"
#include "whale/model/latent_kv_store.h"
#include "whale/model/weight_loader.h"

namespace whale {

struct MlaShape {
    int64_t hidden_size = 0;   // D
    int64_t n_heads = 0;       // H
    int64_t q_lora_rank = 0;   // Kq, 0 = single q_proj
    int64_t kv_lora_rank = 0;  // C
    int64_t nope_dim = 0;      // Dn
    int64_t rope_dim = 0;      // Dr
    int64_t v_dim = 0;         // Dv
    float eps = 1e-6f;         // for q_a_layernorm and kv_a_layernorm
    float softmax_scale = 0.0f;
    bool rope_interleaved = true;
    bool attention_bias = false;

    int64_t qk_dim() const { return nope_dim + rope_dim; }
    int64_t cache_width() const { return kv_lora_rank + rope_dim; }
};

struct MlaWeights {
    Linear q_proj;                     // [H·(Dn+Dr), D], only when Kq = 0
    Linear q_a_proj;                   // [Kq, D]
    std::vector<float> q_a_layernorm;  // [Kq]
    Linear q_b_proj;                   // [H·(Dn+Dr), Kq]
    Linear kv_a_proj_with_mqa;         // [C+Dr, D]: latent first, rope key last
    std::vector<float> kv_a_layernorm; // [C]
    Linear kv_b_proj;                  // [H·(Dn+Dv), C]: per head Dn key rows then Dv value rows
    Linear o_proj;                     // [D, H·Dv]
    // kv_b_proj's halves as a Q8_0 GGUF stores them (attn_k_b, attn_v_b), kept as they are for
    // absorbed decode, which otherwise reads the f32 kv_b_proj the import widens them to (4x the
    // bytes). Empty unless both are Q8_0.
    WeightMatrix k_b;                  // [H·C, Dn]: head h's key rows transposed, rows [h·C, (h+1)·C)
    WeightMatrix v_b;                  // [H·Dv, C]: head h's value rows, rows [h·Dv, (h+1)·Dv)
};

MlaWeights load_mla(WeightLoader& loader, const std::string& prefix, const MlaShape& shape);

struct MlaQueries {
    std::vector<float> q;         // [N, H, Dn+Dr], rope slice rotated
    std::vector<float> q_latent;  // [N, Kq] after q_a_layernorm (empty when Kq = 0); V3.2's indexer reads it
};

// Which cached keys each query of one sequence may attend to, beyond causality
// (DeepSeek Sparse Attention).
struct KeySelection {
    int64_t total = 0;             // T = start + n of that sequence
    std::vector<uint8_t> allowed;  // [n, T], 1 = selected
};

// Fills `out` (its vectors resized, so a caller that keeps it reuses their storage) for x [N, D].
void mla_project_queries(MlaQueries& out, const float* x, const BatchLayout& layout, const MlaWeights& w,
                         const MlaShape& shape, const RopeTable& rope, ThreadPool& pool);

// Computes [c | k^R] for x [N, D] and stores them in the first C + Dr values of each token's
// cache row of `layer`.
void mla_write_latents(const float* x, const BatchLayout& layout, const MlaWeights& w, const MlaShape& shape,
                       const RopeTable& rope, int layer, ThreadPool& pool);

// out [N, D] = attention of every sequence's queries over its cache positions [0, start + n)
// (causal, and only the selected keys where selections[i] is given), then o_proj.
// selections is empty or has one (possibly null) entry per sequence.
void mla_attend(float* out, const MlaQueries& queries, const BatchLayout& layout, const MlaWeights& w,
                const MlaShape& shape, int layer, AttentionPath path,
                const std::vector<const KeySelection*>& selections, ThreadPool& pool);

}  // namespace whale
