#include "whale/model/blocks/mla_prefill_attention.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/online_softmax.h"

namespace whale {

namespace {

// Queries per tiled score call: dot_many_f32 loads each key row once for the whole block.
constexpr int64_t query_block = 4;

// One expanded tile of cache positions [first, first + count).
struct KvTile {
    int64_t first = 0;
    int64_t count = 0;
    const float* kv = nullptr;                  // [count, H, Dn+Dv]: per head Dn key then Dv value
    const float* const* rope_keys = nullptr;    // [count] -> k^R [Dr] in the cache rows, shared by all heads
};

// Online softmax state of every (query, head) of the chunk.
struct QueryStates {
    float* o = nullptr;          // [n, H, Dv], unnormalised until online_softmax_finish
    float* max_score = nullptr;  // [n, H]
    float* sum = nullptr;        // [n, H]
};

// One thread's scratch for scoring a query block against a tile.
struct BlockScratch {
    explicit BlockScratch(int64_t tile)
        : scores(size_t(query_block * tile)), rope_scores(scores.size()), keys(size_t(tile)), values(keys.size()) {}
    std::vector<float> scores;         // [query_block, tile]
    std::vector<float> rope_scores;    // [query_block, tile]
    std::vector<const float*> keys;    // [tile] -> one head's k^N [Dn]
    std::vector<const float*> values;  // [tile] -> one head's v [Dv]
};

// Whether any query in [t_begin, t_end) may attend to a position in [p_begin, p_end) as far as
// the DSA selection goes (causality aside): lets a tile nobody selected skip its expansion and a
// query block skip a tile it selected nothing from.
bool any_selected(const KeySelection* selection, int64_t t_begin, int64_t t_end, int64_t p_begin, int64_t p_end) {
    if (!selection) return true;
    for (int64_t t = t_begin; t < t_end; ++t) {
        const uint8_t* allowed = &selection->allowed[size_t(t * selection->total)];
        if (std::any_of(allowed + p_begin, allowed + p_end, [](uint8_t a) { return a != 0; })) return true;
    }
    return false;
}

// Queries [t0, t0 + query_block) of head h (clipped to n) against one tile: scaled scores, causal
// and DSA masks, then each query's online softmax takes in the tile. q [n, H, Dn+Dr].
void attend_block(QueryStates& states, const float* q, int64_t n, int64_t start, int64_t h, int64_t t0,
                  const KvTile& tile, const MlaShape& s, const KeySelection* selection, BlockScratch& scratch) {
    const int64_t n_queries = std::min(query_block, n - t0), head_kv = s.nope_dim + s.v_dim;
    // Keys of the tile the block's last query sees; the earlier queries mask their share below.
    const int64_t n_keys = std::min(tile.count, start + t0 + n_queries - tile.first);
    if (n_keys <= 0 || !any_selected(selection, t0, t0 + n_queries, tile.first, tile.first + n_keys)) return;
    for (int64_t j = 0; j < n_keys; ++j) {
        scratch.keys[size_t(j)] = tile.kv + (j * s.n_heads + h) * head_kv;
        scratch.values[size_t(j)] = scratch.keys[size_t(j)] + s.nope_dim;
    }
    const int64_t stride = int64_t(scratch.keys.size()), q_stride = s.n_heads * s.qk_dim();
    const float* q0 = q + (t0 * s.n_heads + h) * s.qk_dim();
    dot_many_f32(scratch.scores.data(), stride, q0, q_stride, n_queries, scratch.keys.data(), n_keys, s.nope_dim);
    dot_many_f32(scratch.rope_scores.data(), stride, q0 + s.nope_dim, q_stride, n_queries, tile.rope_keys, n_keys,
                 s.rope_dim);
    for (int64_t i = 0; i < n_queries; ++i) {
        const int64_t t = t0 + i, visible = std::min(n_keys, start + t + 1 - tile.first);
        if (visible <= 0) continue;
        float* row = &scratch.scores[size_t(i * stride)];
        const float* rope_row = &scratch.rope_scores[size_t(i * stride)];
        for (int64_t j = 0; j < visible; ++j) {
            const bool allowed = !selection || selection->allowed[size_t(t * selection->total + tile.first + j)];
            row[j] = allowed ? (row[j] + rope_row[j]) * s.softmax_scale : -std::numeric_limits<float>::infinity();
        }
        const int64_t state = t * s.n_heads + h;
        online_softmax_add_tile(states.o + state * s.v_dim, states.max_score + state, states.sum + state, row,
                                scratch.values.data(), visible, s.v_dim);
    }
}

}  // namespace

void mla_attend_explicit(float* o, const float* q, int64_t n, int64_t start, const MlaWeights& w, const MlaShape& s,
                         LatentKvStore& cache, int layer, const KeySelection* selection, int64_t tile,
                         ThreadPool& pool) {
    const int64_t total = start + n, c_dim = s.kv_lora_rank, n_states = n * s.n_heads;
    const int64_t n_blocks = (n + query_block - 1) / query_block;
    std::vector<float> max_score(static_cast<size_t>(n_states)), sum(max_score.size());  // [n, H]
    QueryStates states{o, max_score.data(), sum.data()};
    for (int64_t i = 0; i < n_states; ++i)
        online_softmax_begin(o + i * s.v_dim, &max_score[size_t(i)], &sum[size_t(i)], s.v_dim);

    std::vector<float> latents(static_cast<size_t>(tile * c_dim));                          // [tile, C]
    std::vector<float> kv(static_cast<size_t>(tile * s.n_heads * (s.nope_dim + s.v_dim)));  // [tile, H, Dn+Dv]
    std::vector<const float*> rope_keys(static_cast<size_t>(tile));                         // [tile] -> k^R [Dr]
    // Tiles outermost: each is expanded once, by one matmul spread over the pool, and then serves
    // every head and every query block before the next replaces it. So expansion costs what
    // expanding all positions at once did, while only one tile is ever held.
    for (int64_t first = 0; first < total; first += tile) {
        const int64_t count = std::min(tile, total - first);
        // Causal: query t sees positions up to start + t, so blocks ending before `first` skip the tile.
        const int64_t first_block = std::max<int64_t>(0, first - start) / query_block;
        if (!any_selected(selection, first_block * query_block, n, first, first + count)) continue;
        for (int64_t j = 0; j < count; ++j) {
            const float* row = cache.row(layer, first + j);
            std::copy(row, row + c_dim, &latents[size_t(j * c_dim)]);
            rope_keys[size_t(j)] = row + c_dim;
        }
        matmul(kv.data(), latents.data(), count, w.kv_b_proj.weight, pool);
        const KvTile kv_tile{first, count, kv.data(), rope_keys.data()};
        // Work items are (head, query block) pairs, head-major: a thread's contiguous share is
        // mostly whole heads, each with the same mix of diagonal and full blocks, so shares are even.
        const int64_t blocks_here = n_blocks - first_block;
        pool.parallel_for(s.n_heads * blocks_here, [&](int64_t begin, int64_t end) {
            BlockScratch scratch(tile);
            for (int64_t item = begin; item < end; ++item)
                attend_block(states, q, n, start, item / blocks_here, (first_block + item % blocks_here) * query_block,
                             kv_tile, s, selection, scratch);
        });
    }
    for (int64_t i = 0; i < n_states; ++i) online_softmax_finish(o + i * s.v_dim, sum[size_t(i)], s.v_dim);
}

}  // namespace whale
