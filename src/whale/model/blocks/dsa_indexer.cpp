#include "whale/model/blocks/dsa_indexer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/rope.h"
#include "whale/model/blocks/linear_forward.h"

namespace whale {

IndexerWeights load_indexer(WeightLoader& loader, const std::string& prefix, const IndexerShape& s) {
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

}  // namespace

void indexer_write_keys(const float* x, const BatchLayout& layout, const IndexerWeights& w, const IndexerShape& s,
                        const RopeTable& rope, int layer, ThreadPool& pool) {
    const int64_t n = layout.n_tokens;
    std::vector<float> keys(size_t(n * s.head_dim));  // [N, Di]
    linear_forward(keys.data(), x, n, w.wk, pool);
    std::vector<float> cos(size_t(s.rope_dim / 2)), sin(size_t(s.rope_dim / 2));
    for (int64_t t = 0; t < n; ++t) {
        float* k = &keys[size_t(t * s.head_dim)];
        layer_norm(k, w.k_norm_weight.data(), w.k_norm_bias.data(), s.head_dim);
        rope.cos_sin(layout.positions[size_t(t)], cos.data(), sin.data());
        // The indexer rotates half-split pairs on its first Dr dims, unlike MLA's interleaved
        // pairs (DeepSeek's 2025-11-17 correction; transformers agrees).
        rope_rotate_half_split(k, cos.data(), sin.data(), s.rope_dim / 2);
        float* row = layout.caches[size_t(t)]->row(layer, layout.positions[size_t(t)]) + s.key_offset;
        std::copy(k, k + s.head_dim, row);
    }
}

std::vector<KeySelection> indexer_select(const float* x, const float* q_latent, const BatchLayout& layout,
                                         const IndexerWeights& w, const IndexerShape& s, const RopeTable& rope,
                                         int layer, ThreadPool& pool) {
    const int64_t n = layout.n_tokens, heads = s.n_heads, dim = s.head_dim;
    std::vector<float> q(size_t(n * heads * dim));  // [N, Hi, Di]
    linear_forward(q.data(), q_latent, n, w.wq_b, pool);
    std::vector<float> head_weights(size_t(n * heads));  // [N, Hi]
    matmul(head_weights.data(), x, n, w.weights_proj, pool);
    const float weight_scale = 1.0f / std::sqrt(float(heads)), score_scale = 1.0f / std::sqrt(float(dim));
    std::vector<float> cos(size_t(s.rope_dim / 2)), sin(size_t(s.rope_dim / 2));
    for (int64_t t = 0; t < n; ++t) {
        rope.cos_sin(layout.positions[size_t(t)], cos.data(), sin.data());
        for (int64_t h = 0; h < heads; ++h)
            rope_rotate_half_split(&q[size_t((t * heads + h) * dim)], cos.data(), sin.data(), s.rope_dim / 2);
        for (int64_t h = 0; h < heads; ++h) head_weights[size_t(t * heads + h)] *= weight_scale;
    }

    std::vector<KeySelection> selections(layout.sequences.size());
    for (size_t i = 0; i < layout.sequences.size(); ++i) {
        const SequenceInBatch& seq = layout.sequences[i];
        const int64_t total = seq.start_position + seq.n_tokens, first = layout.first_token[i];
        KeySelection& sel = selections[i];
        sel.total = total;
        sel.allowed.assign(size_t(seq.n_tokens * total), 0);
        std::vector<const float*> keys(static_cast<size_t>(total));
        for (int64_t p = 0; p < total; ++p) keys[size_t(p)] = seq.cache->row(layer, p) + s.key_offset;
        pool.parallel_for(seq.n_tokens, [&](int64_t begin, int64_t end) {
            std::vector<float> scores(static_cast<size_t>(total));
            std::vector<int32_t> order(static_cast<size_t>(total));
            for (int64_t t = begin; t < end; ++t) {
                const int64_t visible = seq.start_position + t + 1;
                const float* qt = &q[size_t((first + t) * heads * dim)];
                const float* wt = &head_weights[size_t((first + t) * heads)];
                for (int64_t p = 0; p < visible; ++p) {
                    float score = 0.0f;
                    for (int64_t h = 0; h < heads; ++h)
                        score += wt[h] * std::max(0.0f, dot_f32(qt + h * dim, keys[size_t(p)], dim) * score_scale);
                    scores[size_t(p)] = score;
                }
                const int64_t keep = std::min(s.top_k, visible);
                std::iota(order.begin(), order.begin() + visible, 0);
                std::partial_sort(order.begin(), order.begin() + keep, order.begin() + visible, [&](int32_t a, int32_t b) {
                    return scores[size_t(a)] != scores[size_t(b)] ? scores[size_t(a)] > scores[size_t(b)] : a < b;
                });
                for (int64_t k = 0; k < keep; ++k) sel.allowed[size_t(t * total + order[size_t(k)])] = 1;
            }
        });
    }
    return selections;
}

}  // namespace whale
