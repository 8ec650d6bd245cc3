#include "whale/model/blocks/gqa_attention.h"

#include <algorithm>

#include "whale/core/scratch.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/norm.h"
#include "whale/kernels/online_softmax.h"
#include "whale/kernels/rope.h"
#include "whale/model/blocks/linear_forward.h"

namespace whale {

GqaWeights load_gqa(WeightLoader& loader, const std::string& prefix, const GqaShape& s) {
    GqaWeights w;
    w.q_proj = loader.linear(prefix + ".q_proj", s.n_heads * s.head_dim, s.hidden_size, s.qkv_bias);
    w.k_proj = loader.linear(prefix + ".k_proj", s.kv_width(), s.hidden_size, s.qkv_bias);
    w.v_proj = loader.linear(prefix + ".v_proj", s.kv_width(), s.hidden_size, s.qkv_bias);
    w.o_proj = loader.linear(prefix + ".o_proj", s.hidden_size, s.n_heads * s.head_dim, s.o_bias);
    if (s.qk_norm) {
        w.q_norm = loader.vector(prefix + ".q_norm.weight", s.head_dim);
        w.k_norm = loader.vector(prefix + ".k_norm.weight", s.head_dim);
    }
    return w;
}

namespace {

// QK-norm (when present) then RoPE on each of the n_heads heads of every token, in place.
// x [n, n_heads, Dh]; norm [Dh] or empty.
void prepare_heads(float* x, int64_t n, int64_t start, int64_t n_heads, const std::vector<float>& norm,
                   const GqaShape& s, const RopeTable& rope) {
    const int64_t n_pairs = s.head_dim / 2;
    thread_local std::vector<float> cos_sin;  // reused: decode allocates nothing
    float* cos = scratch(cos_sin, size_t(2 * n_pairs));
    float* sin = cos + n_pairs;
    for (int64_t t = 0; t < n; ++t) {
        rope.cos_sin(start + t, cos, sin);
        for (int64_t h = 0; h < n_heads; ++h) {
            float* head = x + (t * n_heads + h) * s.head_dim;
            if (!norm.empty()) rmsnorm(head, head, norm.data(), 1, s.head_dim, s.eps);
            rope_rotate_half_split(head, cos, sin, n_pairs);
        }
    }
}

// Computes the new tokens' rotated keys and values and stores them as cache rows start..start+n-1.
void write_keys_values(const float* x, int64_t n, int64_t start, const GqaWeights& w, const GqaShape& s,
                       const RopeTable& rope, LatentKvStore& cache, int layer, ThreadPool& pool) {
    const int64_t width = s.kv_width();
    thread_local std::vector<float> k_storage, v_storage;  // reused: decode allocates nothing
    float* k = scratch(k_storage, size_t(n * width));      // [n, Hkv, Dh]
    float* v = scratch(v_storage, size_t(n * width));      // [n, Hkv, Dh]
    linear_forward(k, x, n, w.k_proj, pool);
    linear_forward(v, x, n, w.v_proj, pool);
    prepare_heads(k, n, start, s.n_kv_heads, w.k_norm, s, rope);
    for (int64_t t = 0; t < n; ++t) {
        float* row = cache.row(layer, start + t);
        std::copy(k + t * width, k + (t + 1) * width, row);
        std::copy(v + t * width, v + (t + 1) * width, row + width);
    }
}

}  // namespace

// Work items are (head, block of query_block queries), head-major: a thread's contiguous share is
// mostly whole heads with the same causal mix of short and long blocks, so shares are even. Each
// item walks the visible positions tile by tile with one online softmax per query, so scores
// take [query_block, tile] floats however long the context is, and dot_many_f32 loads each key
// row once for the block's queries.
void gqa_attend(float* o, const float* q, int64_t n, int64_t start, const GqaShape& s, LatentKvStore& cache,
                int layer, int64_t tile, ThreadPool& pool) {
    constexpr int64_t query_block = 4;
    const int64_t dh = s.head_dim, q_stride = s.n_heads * dh, n_blocks = (n + query_block - 1) / query_block;
    const int64_t n_items = s.n_heads * n_blocks, n_parts = std::min<int64_t>(pool.size(), n_items);
    // Per part (one thread at a time): scores [query_block, tile] and the tile's key and value row
    // pointers, reused from call to call (whale/core/scratch.h) so decode does not allocate.
    thread_local std::vector<float> scores_storage;
    thread_local std::vector<const float*> rows_storage;
    float* part_scores = scratch(scores_storage, size_t(n_parts * query_block * tile));
    const float** part_rows = scratch(rows_storage, size_t(n_parts * 2 * tile));
    pool.parallel_for(n_parts, [&](int64_t part, int64_t) {
        float* scores = part_scores + part * query_block * tile;
        const float** keys = part_rows + part * 2 * tile;
        const float** values = keys + tile;
        float max_score[query_block], sum[query_block];
        for (int64_t item = n_items * part / n_parts; item < n_items * (part + 1) / n_parts; ++item) {
            const int64_t h = item / n_blocks, t0 = (item % n_blocks) * query_block;
            const int64_t n_queries = std::min(query_block, n - t0), visible_max = start + t0 + n_queries;
            // Query head h reads KV head h / group_size, as repeat_kv does.
            const int64_t key_offset = (h / s.group_size()) * dh, value_offset = s.kv_width() + key_offset;
            const float* q0 = q + (t0 * s.n_heads + h) * dh;
            float* o0 = o + (t0 * s.n_heads + h) * dh;
            for (int64_t i = 0; i < n_queries; ++i) online_softmax_begin(o0 + i * q_stride, &max_score[i], &sum[i], dh);
            for (int64_t first = 0; first < visible_max; first += tile) {
                const int64_t count = std::min(tile, visible_max - first);
                for (int64_t j = 0; j < count; ++j) {
                    const float* row = cache.row(layer, first + j);
                    keys[j] = row + key_offset;
                    values[j] = row + value_offset;
                }
                dot_many_f32(scores, tile, q0, q_stride, n_queries, keys, count, dh);
                for (int64_t i = 0; i < n_queries; ++i) {
                    const int64_t visible = std::min(count, start + t0 + i + 1 - first);  // causal
                    if (visible <= 0) continue;
                    float* row = scores + i * tile;
                    for (int64_t j = 0; j < visible; ++j) row[j] *= s.softmax_scale;
                    online_softmax_add_tile(o0 + i * q_stride, &max_score[i], &sum[i], row, values, visible, dh);
                }
            }
            for (int64_t i = 0; i < n_queries; ++i) online_softmax_finish(o0 + i * q_stride, sum[i], dh);
        }
    });
}

void gqa_forward(float* out, const float* x, const BatchLayout& layout, const GqaWeights& w, const GqaShape& s,
                 const RopeTable& rope, int layer, ThreadPool& pool) {
    const int64_t n_all = layout.n_tokens, q_width = s.n_heads * s.head_dim;
    thread_local std::vector<float> q_storage, o_storage;  // reused: decode allocates nothing
    float* q = scratch(q_storage, size_t(n_all * q_width));  // [N, H, Dh]
    float* o = scratch(o_storage, size_t(n_all * q_width));  // [N, H, Dh]
    linear_forward(q, x, n_all, w.q_proj, pool);
    for (size_t i = 0; i < layout.sequences.size(); ++i) {
        const SequenceInBatch& seq = layout.sequences[i];
        const int64_t first = layout.first_token[i];
        float* q_seq = q + first * q_width;
        prepare_heads(q_seq, seq.n_tokens, seq.start_position, s.n_heads, w.q_norm, s, rope);
        write_keys_values(x + first * s.hidden_size, seq.n_tokens, seq.start_position, w, s, rope, *seq.cache, layer,
                          pool);
        gqa_attend(o + first * q_width, q_seq, seq.n_tokens, seq.start_position, s, *seq.cache, layer,
                   gqa_attend_tile, pool);
    }
    linear_forward(out, o, n_all, w.o_proj, pool);
}

}  // namespace whale
