#include "whale/model/blocks/mla_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "whale/core/scratch.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/norm.h"
#include "whale/kernels/quant/vec_dot.h"
#include "whale/kernels/rope.h"
#include "whale/model/blocks/linear_forward.h"
#include "whale/model/blocks/mla_prefill_attention.h"

namespace whale {

MlaWeights load_mla(WeightLoader& loader, const std::string& prefix, const MlaShape& s) {
    MlaWeights w;
    const int64_t q_out = s.n_heads * s.qk_dim();
    if (s.q_lora_rank > 0) {
        w.q_a_proj = loader.linear(prefix + ".q_a_proj", s.q_lora_rank, s.hidden_size, s.attention_bias);
        w.q_a_layernorm = loader.vector(prefix + ".q_a_layernorm.weight", s.q_lora_rank);
        w.q_b_proj = loader.linear(prefix + ".q_b_proj", q_out, s.q_lora_rank);
    } else {
        w.q_proj = loader.linear(prefix + ".q_proj", q_out, s.hidden_size);
    }
    w.kv_a_proj_with_mqa = loader.linear(prefix + ".kv_a_proj_with_mqa", s.cache_width(), s.hidden_size, s.attention_bias);
    w.kv_a_layernorm = loader.vector(prefix + ".kv_a_layernorm.weight", s.kv_lora_rank);
    w.kv_b_proj = loader.linear(prefix + ".kv_b_proj", s.n_heads * (s.nope_dim + s.v_dim), s.kv_lora_rank);
    w.o_proj = loader.linear(prefix + ".o_proj", s.hidden_size, s.n_heads * s.v_dim, s.attention_bias);
    return w;
}

namespace {

void rotate(float* x, const float* cos, const float* sin, const MlaShape& s) {
    if (s.rope_interleaved)
        rope_rotate_interleaved(x, cos, sin, s.rope_dim / 2);
    else
        rope_rotate_half_split(x, cos, sin, s.rope_dim / 2);
}

}  // namespace

void mla_project_queries(MlaQueries& out, const float* x, const BatchLayout& layout, const MlaWeights& w,
                         const MlaShape& s, const RopeTable& rope, ThreadPool& pool) {
    const int64_t n = layout.n_tokens;
    std::vector<float>& q = out.q;
    q.resize(size_t(n * s.n_heads * s.qk_dim()));
    if (s.q_lora_rank > 0) {
        out.q_latent.resize(size_t(n * s.q_lora_rank));  // [n, Kq]
        linear_forward(out.q_latent.data(), x, n, w.q_a_proj, pool);
        rmsnorm(out.q_latent.data(), out.q_latent.data(), w.q_a_layernorm.data(), n, s.q_lora_rank, s.eps);
        linear_forward(q.data(), out.q_latent.data(), n, w.q_b_proj, pool);
    } else {
        out.q_latent.clear();
        linear_forward(q.data(), x, n, w.q_proj, pool);
    }
    thread_local std::vector<float> cos_sin;
    float* cos = scratch(cos_sin, size_t(s.rope_dim));
    float* sin = cos + s.rope_dim / 2;
    for (int64_t t = 0; t < n; ++t) {
        rope.cos_sin(layout.positions[size_t(t)], cos, sin);
        for (int64_t h = 0; h < s.n_heads; ++h)
            rotate(&q[size_t((t * s.n_heads + h) * s.qk_dim() + s.nope_dim)], cos, sin, s);
    }
}

void mla_write_latents(const float* x, const BatchLayout& layout, const MlaWeights& w, const MlaShape& s,
                       const RopeTable& rope, int layer, ThreadPool& pool) {
    const int64_t n = layout.n_tokens;
    const int64_t width = s.cache_width();
    thread_local std::vector<float> kv_storage, cos_sin;
    float* kv = scratch(kv_storage, size_t(n * width));  // [n, C+Dr]
    linear_forward(kv, x, n, w.kv_a_proj_with_mqa, pool);
    float* cos = scratch(cos_sin, size_t(s.rope_dim));
    float* sin = cos + s.rope_dim / 2;
    for (int64_t t = 0; t < n; ++t) {
        const int64_t position = layout.positions[size_t(t)];
        float* row = layout.caches[size_t(t)]->row(layer, position);
        const float* src = kv + t * width;
        rmsnorm(row, src, w.kv_a_layernorm.data(), 1, s.kv_lora_rank, s.eps);
        for (int64_t i = 0; i < s.rope_dim; ++i) row[s.kv_lora_rank + i] = src[s.kv_lora_rank + i];
        rope.cos_sin(position, cos, sin);
        rotate(row + s.kv_lora_rank, cos, sin, s);
    }
}

namespace {

// y [n_rows] = rows [row_begin, row_begin + n_rows) of the Q8_0 matrix w · x [w.cols] f32. The
// absorbed k_b / v_b products keep their activations (a head's query, its z) in f32 so decode
// matches the explicit path, which uses the same weights widened to f32.
void q8_0_rows_f32(float* y, const WeightMatrix& w, int64_t row_begin, int64_t n_rows, const float* x) {
    const int64_t blocks = w.cols / QK8_0;
    const BlockQ8_0* rows = static_cast<const BlockQ8_0*>(w.data) + row_begin * blocks;
    for (int64_t r = 0; r < n_rows; ++r) y[r] = vec_dot_q8_0_f32(rows + r * blocks, x, w.cols);
}

// Positions per step of one thread's pass over the cache: their rows (32 · 2.3 KiB at C = 512)
// stay in L2 between the score and the value pass.
constexpr int64_t absorbed_chunk = 32;

// One thread's share of absorbed attention for one query token: the cache positions keys[0, count)
// for every head, with a running max and sum per head (online softmax), so each cache row is read
// once for all heads. z [H, C] is left unnormalised: z = Σ_p exp(s_p - max) c_p, sum = Σ exp(..).
// scores [2, H, chunk] is this thread's scratch.
void absorbed_positions(float* z, float* max_score, float* sum, float* scores, const float* q_absorbed, const float* q,
                        int64_t t, const int64_t* keys, int64_t count, const MlaShape& s, LatentKvStore& cache,
                        int layer) {
    const int64_t n_heads = s.n_heads, c_dim = s.kv_lora_rank;
    const float* rows[absorbed_chunk];
    const float* rope_keys[absorbed_chunk];
    float p[absorbed_chunk];
    float* rope_scores = scores + n_heads * absorbed_chunk;
    std::fill(z, z + n_heads * c_dim, 0.0f);
    std::fill(max_score, max_score + n_heads, -std::numeric_limits<float>::infinity());
    std::fill(sum, sum + n_heads, 0.0f);
    for (int64_t chunk = 0; chunk < count; chunk += absorbed_chunk) {
        const int64_t m = std::min(absorbed_chunk, count - chunk);
        for (int64_t j = 0; j < m; ++j) {
            rows[j] = cache.row(layer, keys[chunk + j]);
            rope_keys[j] = rows[j] + c_dim;
        }
        dot_many_f32(scores, absorbed_chunk, q_absorbed, c_dim, n_heads, rows, m, c_dim);
        dot_many_f32(rope_scores, absorbed_chunk, q + t * n_heads * s.qk_dim() + s.nope_dim, s.qk_dim(), n_heads,
                     rope_keys, m, s.rope_dim);
        for (int64_t h = 0; h < n_heads; ++h)
            for (int64_t j = 0; j < m; ++j) {
                const int64_t i = h * absorbed_chunk + j;
                scores[i] = (scores[i] + rope_scores[i]) * s.softmax_scale;
            }
        for (int64_t h = 0; h < n_heads; ++h) {
            const float* sh = scores + h * absorbed_chunk;
            float new_max = max_score[h];
            for (int64_t j = 0; j < m; ++j) new_max = std::max(new_max, sh[j]);
            const float rescale = std::exp(max_score[h] - new_max);
            if (rescale != 1.0f) {
                for (int64_t i = 0; i < c_dim; ++i) z[h * c_dim + i] *= rescale;
                sum[h] *= rescale;
            }
            max_score[h] = new_max;
            for (int64_t j = 0; j < m; ++j) {
                p[j] = std::exp(sh[j] - new_max);
                sum[h] += p[j];
            }
            axpy_rows_f32(z + h * c_dim, p, rows, m, c_dim);
        }
    }
}

// Absorbed form (docs/models/mla.md, 'Weight absorption'): q̃ = U_hᵀ q^N, scores against the cached
// latents directly, z = Σ P c, o = V_h z. Reads only the cache rows, never expanded keys or values.
// The positions are split across threads (each with its own online softmax, merged afterwards)
// rather than the heads, so the cache is read once per token instead of once per head: at long
// context it no longer fits in cache, and per-head passes multiplied the memory traffic by H.
void attend_absorbed(float* o, const float* q, int64_t n, int64_t start, const MlaWeights& w, const MlaShape& s,
                     LatentKvStore& cache, int layer, const KeySelection* selection, ThreadPool& pool) {
    const int64_t n_heads = s.n_heads, head_kv = s.nope_dim + s.v_dim, c_dim = s.kv_lora_rank;
    const int64_t n_parts = pool.size();
    // Scratch reused from step to step; each part (one thread at a time) owns a slice of the last two.
    thread_local std::vector<float> q_absorbed_storage, z_storage, max_storage, sum_storage, scores_storage,
        matvec_storage;
    thread_local std::vector<int64_t> keys_storage;
    // Only through references and pointers: in a worker the names would mean the worker's own.
    std::vector<int64_t>& keys = keys_storage;  // cache positions one query token attends to
    float* q_absorbed = scratch(q_absorbed_storage, size_t(n_heads * c_dim));    // [H, C]
    float* z = scratch(z_storage, size_t(n_parts * n_heads * c_dim));            // [parts, H, C]
    float* max_score = scratch(max_storage, size_t(n_parts * n_heads));          // [parts, H]
    float* sum = scratch(sum_storage, size_t(n_parts * n_heads));                // [parts, H]
    const int64_t scores_floats = 2 * n_heads * absorbed_chunk;
    float* scores = scratch(scores_storage, size_t(n_parts * scores_floats));    // [parts, 2, H, chunk]
    const int64_t matvec_floats = matvec_scratch_floats(w.kv_b_proj.weight);
    float* matvec = scratch(matvec_storage, size_t(n_parts * matvec_floats));    // [parts, matvec_floats]
    // Sized for the whole cache, so it never grows as the context does.
    keys.reserve(size_t(cache.expected_positions()));
    // Runs fn(h, part) for every head, the heads split into n_parts ranges, one per thread.
    auto for_each_head = [&](auto&& fn) {
        pool.parallel_for(n_parts, [&](int64_t part_begin, int64_t part_end) {
            for (int64_t part = part_begin; part < part_end; ++part)
                for (int64_t h = n_heads * part / n_parts; h < n_heads * (part + 1) / n_parts; ++h) fn(h, part);
        });
    };
    for (int64_t t = 0; t < n; ++t) {
        if (w.k_b.empty()) {
            for_each_head([&](int64_t h, int64_t part) {
                matvec_transposed_rows(q_absorbed + h * c_dim, q + (t * n_heads + h) * s.qk_dim(), w.kv_b_proj.weight,
                                       h * head_kv, h * head_kv + s.nope_dim, matvec + part * matvec_floats);
            });
        } else {
            pool.parallel_for(n_heads, [&](int64_t head_begin, int64_t head_end) {
                for (int64_t h = head_begin; h < head_end; ++h)
                    q8_0_rows_f32(q_absorbed + h * c_dim, w.k_b, h * c_dim, c_dim, q + (t * n_heads + h) * s.qk_dim());
            });
        }
        // The keys this token attends to: every visible position, or with DSA only the selected ones,
        // so sparse attention costs O(top-k) however long the context is.
        const int64_t visible = start + t + 1;
        keys.clear();
        for (int64_t p = 0; p < visible; ++p)
            if (!selection || selection->allowed[size_t(t * selection->total + p)]) keys.push_back(p);
        const int64_t n_keys = int64_t(keys.size());
        pool.parallel_for(n_parts, [&](int64_t part_begin, int64_t part_end) {
            for (int64_t part = part_begin; part < part_end; ++part) {
                const int64_t begin = n_keys * part / n_parts, end = n_keys * (part + 1) / n_parts;
                absorbed_positions(z + part * n_heads * c_dim, max_score + part * n_heads, sum + part * n_heads,
                                   scores + part * scores_floats, q_absorbed, q, t, keys.data() + begin, end - begin, s,
                                   cache, layer);
            }
        });
        // Merge the parts into part 0: rescale each to the common max, add, normalise.
        for (int64_t h = 0; h < n_heads; ++h) {
            float common = -std::numeric_limits<float>::infinity();
            for (int64_t part = 0; part < n_parts; ++part) common = std::max(common, max_score[part * n_heads + h]);
            float total = 0.0f;
            float* zh = z + h * c_dim;
            for (int64_t part = 0; part < n_parts; ++part) {
                const float m = max_score[part * n_heads + h];
                const float factor = m == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(m - common);
                total += factor * sum[part * n_heads + h];
                if (part == 0)
                    for (int64_t i = 0; i < c_dim; ++i) zh[i] *= factor;
                else
                    axpy_f32(zh, factor, z + (part * n_heads + h) * c_dim, c_dim);
            }
            const float inv = 1.0f / total;
            for (int64_t i = 0; i < c_dim; ++i) zh[i] *= inv;
        }
        if (w.v_b.empty()) {
            for_each_head([&](int64_t h, int64_t part) {
                const int64_t value_rows = h * head_kv + s.nope_dim;
                matvec_rows(o + (t * n_heads + h) * s.v_dim, z + h * c_dim, w.kv_b_proj.weight, value_rows,
                            value_rows + s.v_dim, matvec + part * matvec_floats);
            });
        } else {
            pool.parallel_for(n_heads, [&](int64_t head_begin, int64_t head_end) {
                for (int64_t h = head_begin; h < head_end; ++h)
                    q8_0_rows_f32(o + (t * n_heads + h) * s.v_dim, w.v_b, h * s.v_dim, s.v_dim, z + h * c_dim);
            });
        }
    }
}

}  // namespace

void mla_attend(float* out, const MlaQueries& queries, const BatchLayout& layout, const MlaWeights& w,
                const MlaShape& s, int layer, AttentionPath path,
                const std::vector<const KeySelection*>& selections, ThreadPool& pool) {
    thread_local std::vector<float> o_storage;
    float* o = scratch(o_storage, size_t(layout.n_tokens * s.n_heads * s.v_dim));  // [N, H, Dv]
    for (size_t i = 0; i < layout.sequences.size(); ++i) {
        const SequenceInBatch& seq = layout.sequences[i];
        const int64_t first = layout.first_token[i];
        const float* q = queries.q.data() + first * s.n_heads * s.qk_dim();
        float* o_seq = o + first * s.n_heads * s.v_dim;
        const KeySelection* selection = selections.empty() ? nullptr : selections[i];
        AttentionPath chosen = path;
        if (chosen == AttentionPath::AttentionPath_auto)
            chosen = seq.n_tokens == 1 ? AttentionPath::AttentionPath_absorbed : AttentionPath::AttentionPath_explicit;
        if (chosen == AttentionPath::AttentionPath_explicit)
            mla_attend_explicit(o_seq, q, seq.n_tokens, seq.start_position, w, s, *seq.cache, layer, selection,
                                mla_prefill_tile, pool);
        else
            attend_absorbed(o_seq, q, seq.n_tokens, seq.start_position, w, s, *seq.cache, layer, selection, pool);
    }
    linear_forward(out, o, layout.n_tokens, w.o_proj, pool);
}

}  // namespace whale
