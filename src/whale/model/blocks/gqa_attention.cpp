#include "whale/model/blocks/gqa_attention.h"

#include <algorithm>

#include "whale/core/scratch.h"
#include "whale/kernels/activation.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/norm.h"
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

// q [n, H, Dh] -> o [n, H, Dh]: causal softmax attention of every query head over the cached
// keys and values of its KV head (query head h reads KV head h / group_size, as repeat_kv does).
void attend(float* o, const float* q, int64_t n, int64_t start, const GqaShape& s, LatentKvStore& cache, int layer,
            ThreadPool& pool) {
    const int64_t total = start + n, dh = s.head_dim, width = s.kv_width();
    const int64_t n_parts = pool.size(), capacity = cache.capacity();
    // Reused from step to step and sized for the whole cache, so that they do not grow with the
    // context; each part (one thread at a time) owns a row of the scores.
    thread_local std::vector<const float*> rows_storage;
    thread_local std::vector<float> scores_storage;
    std::vector<const float*>& rows = rows_storage;  // a reference: the workers must see this thread's
    rows.reserve(size_t(capacity));
    rows.resize(size_t(total));
    for (int64_t p = 0; p < total; ++p) rows[size_t(p)] = cache.row(layer, p);
    float* part_scores = scratch(scores_storage, size_t(n_parts * capacity));  // [parts, capacity]

    pool.parallel_for(n_parts, [&](int64_t part_begin, int64_t part_end) {
        float* scores = part_scores + part_begin * capacity;
        for (int64_t h = s.n_heads * part_begin / n_parts; h < s.n_heads * part_end / n_parts; ++h) {
            const int64_t key_offset = (h / s.group_size()) * dh, value_offset = width + key_offset;
            for (int64_t t = 0; t < n; ++t) {
                const float* qh = q + (t * s.n_heads + h) * dh;
                const int64_t visible = start + t + 1;
                for (int64_t p = 0; p < visible; ++p)
                    scores[p] = dot_f32(qh, rows[size_t(p)] + key_offset, dh) * s.softmax_scale;
                softmax_inplace(scores, visible);
                float* oh = o + (t * s.n_heads + h) * dh;
                std::fill(oh, oh + dh, 0.0f);
                for (int64_t p = 0; p < visible; ++p) axpy_f32(oh, scores[p], rows[size_t(p)] + value_offset, dh);
            }
        }
    });
}

}  // namespace

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
        attend(o + first * q_width, q_seq, seq.n_tokens, seq.start_position, s, *seq.cache, layer, pool);
    }
    linear_forward(out, o, n_all, w.o_proj, pool);
}

}  // namespace whale
