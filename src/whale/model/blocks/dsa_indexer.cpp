#include "whale/model/blocks/dsa_indexer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "whale/core/error.h"
#include "whale/core/scratch.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/rope.h"
#include "whale/model/blocks/linear_forward.h"

namespace whale {

IndexerWeights load_indexer(WeightLoader& loader, const std::string& prefix, const IndexerShape& s) {
    WHALE_CHECK(s.n_heads <= max_index_heads, prefix, ": ", s.n_heads, " index heads, at most ", max_index_heads,
                " supported");
    IndexerWeights w;
    w.wq_b = loader.linear(prefix + ".wq_b", s.n_heads * s.head_dim, s.q_lora_rank);
    w.wk = loader.linear(prefix + ".wk", s.head_dim, s.hidden_size);
    w.k_norm_weight = loader.vector(prefix + ".k_norm.weight", s.head_dim);
    w.k_norm_bias = loader.vector(prefix + ".k_norm.bias", s.head_dim);
    w.weights_proj = loader.matrix(prefix + ".weights_proj.weight", s.n_heads, s.hidden_size);
    return w;
}

namespace {

// LayerNorm with weight and bias, eps 1e-6 (the reference hard-codes it), in place on x [n].
void layer_norm(float* x, const float* weight, const float* bias, int64_t n) {
    double mean = 0.0, var = 0.0;
    for (int64_t i = 0; i < n; ++i) mean += x[i];
    mean /= double(n);
    for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float inv = float(1.0 / std::sqrt(var / double(n) + 1e-6));
    for (int64_t i = 0; i < n; ++i) x[i] = float(x[i] - mean) * inv * weight[i] + bias[i];
}

// Index scores of one query token over the cached positions [p_begin, p_end):
// scores[p] = Σ_h w_h · relu(q_h · k_p · scale). qt [Hi, Di], wt [Hi], keys[p] -> k_p [Di].
void index_scores(float* scores, const float* qt, const float* wt, const float* const* keys, int64_t p_begin,
                  int64_t p_end, int64_t heads, int64_t dim, float score_scale) {
    constexpr int64_t block = 32;  // positions scored together: every head against a block of keys
    float dots[max_index_heads * block];  // [Hi, block], on the stack: pool workers run this in decode
    for (int64_t p = p_begin; p < p_end; p += block) {
        const int64_t m = std::min(block, p_end - p);
        dot_many_f32(dots, block, qt, dim, heads, keys + p, m, dim);
        for (int64_t j = 0; j < m; ++j) {
            float score = 0.0f;
            for (int64_t h = 0; h < heads; ++h) score += wt[h] * std::max(0.0f, dots[h * block + j] * score_scale);
            scores[p + j] = score;
        }
    }
}

// Marks the top_k best-scoring of positions [0, visible) in allowed [visible]; ties go to the
// earlier position. Only the set matters, so a selection (O(T)) replaces a sort.
void select_top_k(uint8_t* allowed, const float* scores, int64_t visible, int64_t top_k, std::vector<int32_t>& order) {
    const int64_t keep = std::min(top_k, visible);
    order.resize(static_cast<size_t>(visible));
    std::iota(order.begin(), order.end(), 0);
    if (keep < visible)
        std::nth_element(order.begin(), order.begin() + (keep - 1), order.end(), [&](int32_t a, int32_t b) {
            return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
        });
    for (int64_t k = 0; k < keep; ++k) allowed[order[size_t(k)]] = 1;
}

}  // namespace

void indexer_write_keys(const float* x, const BatchLayout& layout, const IndexerWeights& w, const IndexerShape& s,
                        const RopeTable& rope, int layer, ThreadPool& pool) {
    const int64_t n = layout.n_tokens;
    thread_local std::vector<float> keys_storage, cos_sin;  // reused: decode allocates nothing
    float* keys = scratch(keys_storage, size_t(n * s.head_dim));  // [N, Di]
    linear_forward(keys, x, n, w.wk, pool);
    float* cos = scratch(cos_sin, size_t(s.rope_dim));
    float* sin = cos + s.rope_dim / 2;
    for (int64_t t = 0; t < n; ++t) {
        float* k = keys + t * s.head_dim;
        layer_norm(k, w.k_norm_weight.data(), w.k_norm_bias.data(), s.head_dim);
        rope.cos_sin(layout.positions[size_t(t)], cos, sin);
        // The indexer rotates half-split pairs on its first Dr dims, unlike MLA's interleaved
        // pairs (DeepSeek's 2025-11-17 correction; transformers agrees).
        rope_rotate_half_split(k, cos, sin, s.rope_dim / 2);
        float* row = layout.caches[size_t(t)]->row(layer, layout.positions[size_t(t)]) + s.key_offset;
        std::copy(k, k + s.head_dim, row);
    }
}

void indexer_select(std::vector<KeySelection>& selections, const float* x, const float* q_latent,
                    const BatchLayout& layout, const IndexerWeights& w, const IndexerShape& s, const RopeTable& rope,
                    int layer, ThreadPool& pool) {
    const int64_t n = layout.n_tokens, heads = s.n_heads, dim = s.head_dim;
    // Reused from step to step; the per-position ones are sized for the whole cache, so that they
    // do not grow with the context either.
    thread_local std::vector<float> q_storage, head_weights_storage, cos_sin, scores_storage;
    thread_local std::vector<int32_t> order_storage;
    thread_local std::vector<const float*> keys_storage;
    // References: the workers must see this thread's buffers, not their own thread_locals.
    std::vector<float>& decode_scores = scores_storage;
    std::vector<int32_t>& decode_order = order_storage;
    std::vector<const float*>& keys = keys_storage;
    float* q = scratch(q_storage, size_t(n * heads * dim));                    // [N, Hi, Di]
    linear_forward(q, q_latent, n, w.wq_b, pool);
    float* head_weights = scratch(head_weights_storage, size_t(n * heads));  // [N, Hi]
    matmul(head_weights, x, n, w.weights_proj, pool);
    const float weight_scale = 1.0f / std::sqrt(float(heads)), score_scale = 1.0f / std::sqrt(float(dim));
    float* cos = scratch(cos_sin, size_t(s.rope_dim));
    float* sin = cos + s.rope_dim / 2;
    for (int64_t t = 0; t < n; ++t) {
        rope.cos_sin(layout.positions[size_t(t)], cos, sin);
        for (int64_t h = 0; h < heads; ++h) rope_rotate_half_split(q + (t * heads + h) * dim, cos, sin, s.rope_dim / 2);
        for (int64_t h = 0; h < heads; ++h) head_weights[t * heads + h] *= weight_scale;
    }

    selections.resize(layout.sequences.size());
    for (size_t i = 0; i < layout.sequences.size(); ++i) {
        const SequenceInBatch& seq = layout.sequences[i];
        const int64_t total = seq.start_position + seq.n_tokens, first = layout.first_token[i];
        const size_t capacity = size_t(seq.cache->expected_positions());
        KeySelection& sel = selections[i];
        sel.total = total;
        sel.allowed.reserve(size_t(seq.n_tokens) * capacity);
        sel.allowed.assign(size_t(seq.n_tokens * total), 0);
        keys.reserve(capacity);
        keys.resize(size_t(total));
        for (int64_t p = 0; p < total; ++p) keys[size_t(p)] = seq.cache->row(layer, p) + s.key_offset;
        if (seq.n_tokens >= pool.size()) {
            // Prefill: one thread per group of query tokens.
            pool.parallel_for(seq.n_tokens, [&](int64_t begin, int64_t end) {
                std::vector<float> scores(static_cast<size_t>(total));
                std::vector<int32_t> order;
                for (int64_t t = begin; t < end; ++t) {
                    const int64_t visible = seq.start_position + t + 1;
                    index_scores(scores.data(), q + (first + t) * heads * dim, head_weights + (first + t) * heads,
                                 keys.data(), 0, visible, heads, dim, score_scale);
                    select_top_k(&sel.allowed[size_t(t * total)], scores.data(), visible, s.top_k, order);
                }
            });
        } else {
            // Decode: the scan over the cached positions is the work, so the threads split it.
            decode_scores.reserve(capacity);
            decode_scores.resize(size_t(total));
            decode_order.reserve(capacity);
            for (int64_t t = 0; t < seq.n_tokens; ++t) {
                const int64_t visible = seq.start_position + t + 1;
                pool.parallel_for(visible, [&](int64_t begin, int64_t end) {
                    index_scores(decode_scores.data(), q + (first + t) * heads * dim,
                                 head_weights + (first + t) * heads, keys.data(), begin, end, heads, dim, score_scale);
                });
                select_top_k(&sel.allowed[size_t(t * total)], decode_scores.data(), visible, s.top_k, decode_order);
            }
        }
    }
}

}  // namespace whale
