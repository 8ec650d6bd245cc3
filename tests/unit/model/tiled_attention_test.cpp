// Tiled (flash-style, online softmax) prefill attention against a direct double-precision
// reference with a full softmax: MLA's explicit form and dense GQA, at odd sizes, tiles that do
// not divide the context, cached positions before the chunk (start > 0), several query blocks,
// 1-3 threads, and for MLA a DSA selection that masks whole tiles for some queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "support/mla_fixture.h"
#include "whale/core/thread_pool.h"
#include "whale/model/blocks/gqa_attention.h"
#include "whale/model/blocks/mla_prefill_attention.h"

namespace whale {
namespace {

// Float rounding of the tiled forms against the double reference, relative to the largest
// reference output; measured <= 2.7e-7 at these sizes.
constexpr double tolerance = 1e-6;

using testing::gaussian;
using VectorStore = testing::VectorLatentStore;

double max_relative_error(const std::vector<float>& got, const std::vector<double>& want) {
    double scale = 0, err = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(got[i])) return INFINITY;
        scale = std::max(scale, std::fabs(want[i]));
        err = std::max(err, std::fabs(double(got[i]) - want[i]));
    }
    return err / scale;
}

// out [dv] += softmax(scores) · values with a full softmax in double; a row with no visible key
// (all -inf) gives zeros, as the tiled forms do.
void softmax_weighted_sum(double* out, std::vector<double> scores, const std::vector<std::vector<double>>& values,
                          int64_t dv) {
    double max_score = -INFINITY, total = 0;
    for (double v : scores) max_score = std::max(max_score, v);
    if (max_score == -INFINITY) return;
    for (double& v : scores) total += (v = std::exp(v - max_score));
    for (size_t p = 0; p < scores.size(); ++p)
        for (int64_t j = 0; j < dv; ++j) out[j] += scores[p] / total * values[p][size_t(j)];
}

// The random layer without o_proj: the tiled forms stop at the per-head outputs.
struct MlaFixture : testing::RandomMla {
    MlaFixture() : RandomMla(testing::mla_shape(0, 3, 40, 20, 8, 12, 0.2f), 0.3f, 0.0f) {}

    // o [n, H, Dv]: keys and values expanded in double, then a full softmax per (query, head).
    std::vector<double> reference(VectorStore& cache, const std::vector<float>& q, int64_t n, int64_t start,
                                  const KeySelection* selection) const {
        const int64_t h_all = s.n_heads, c = s.kv_lora_rank, dn = s.nope_dim, dv = s.v_dim, head_kv = dn + dv;
        std::vector<double> o(size_t(n * h_all * dv), 0.0);
        for (int64_t h = 0; h < h_all; ++h)
            for (int64_t t = 0; t < n; ++t) {
                const float* qh = &q[size_t((t * h_all + h) * s.qk_dim())];
                std::vector<double> scores;
                std::vector<std::vector<double>> values;
                for (int64_t p = 0; p <= start + t; ++p) {
                    const float* row = cache.row(0, p);
                    std::vector<double> u(size_t(head_kv), 0.0);  // [k^N | v] of head h at p
                    for (int64_t j = 0; j < head_kv; ++j)
                        for (int64_t l = 0; l < c; ++l)
                            u[size_t(j)] += double(kv_b[size_t((h * head_kv + j) * c + l)]) * row[l];
                    double score = 0;
                    for (int64_t j = 0; j < dn; ++j) score += double(qh[j]) * u[size_t(j)];
                    for (int64_t j = 0; j < s.rope_dim; ++j) score += double(qh[dn + j]) * row[c + j];
                    const bool allowed = !selection || selection->allowed[size_t(t * selection->total + p)];
                    scores.push_back(allowed ? score * s.softmax_scale : -INFINITY);
                    values.emplace_back(u.begin() + dn, u.end());
                }
                softmax_weighted_sum(&o[size_t((t * h_all + h) * dv)], scores, values, dv);
            }
        return o;
    }
};

TEST(TiledAttention, MlaExplicitMatchesFullSoftmaxReference) {
    const MlaFixture f;
    const int64_t n = 11, start = 9, total = start + n;  // query blocks of 4, 4, 3
    VectorStore cache(total, f.s.cache_width(), 3);
    const std::vector<float> q = gaussian(n * f.s.n_heads * f.s.qk_dim(), 4, 1.0f);
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        for (int64_t tile : {3, 7, 128}) {
            std::vector<float> o(size_t(n * f.s.n_heads * f.s.v_dim));
            mla_attend_explicit(o.data(), q.data(), n, start, f.w, f.s, cache, 0, nullptr, tile, pool);
            EXPECT_LT(max_relative_error(o, f.reference(cache, q, n, start, nullptr)), tolerance)
                << "threads=" << threads << " tile=" << tile;
        }
    }
}

// A DSA-style selection: random keys, each query keeping its own position, odd queries selecting
// nothing in [0, 14) (whole tiles of 3 and 7: their running max is still -inf when the first
// selected tile arrives), and query 5 selecting nothing at all (zeros, not NaN).
KeySelection sparse_selection(int64_t n, int64_t start) {
    KeySelection selection;
    selection.total = start + n;
    selection.allowed.assign(size_t(n * selection.total), 0);
    std::mt19937 rng(5);
    for (int64_t t = 0; t < n; ++t) {
        if (t == 5) continue;
        for (int64_t p = 0; p <= start + t; ++p) {
            const bool masked_prefix = t % 2 == 1 && p < 14;
            if (!masked_prefix && (p == start + t || rng() % 2 == 0))
                selection.allowed[size_t(t * selection.total + p)] = 1;
        }
    }
    return selection;
}

TEST(TiledAttention, MlaExplicitHonoursSelectionsThatMaskWholeTiles) {
    const MlaFixture f;
    const int64_t n = 11, start = 9, total = start + n;
    VectorStore cache(total, f.s.cache_width(), 6);
    const std::vector<float> q = gaussian(n * f.s.n_heads * f.s.qk_dim(), 7, 1.0f);
    const KeySelection selection = sparse_selection(n, start);
    const std::vector<double> want = f.reference(cache, q, n, start, &selection);
    for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        for (int64_t tile : {3, 7, 128}) {
            std::vector<float> o(size_t(n * f.s.n_heads * f.s.v_dim), NAN);
            mla_attend_explicit(o.data(), q.data(), n, start, f.w, f.s, cache, 0, &selection, tile, pool);
            EXPECT_LT(max_relative_error(o, want), tolerance) << "threads=" << threads << " tile=" << tile;
            for (int64_t i = 0; i < f.s.n_heads * f.s.v_dim; ++i)
                EXPECT_EQ(o[size_t(5 * f.s.n_heads * f.s.v_dim + i)], 0.0f) << "tile=" << tile;
        }
    }
}

// o [n, H, Dh] for GQA: each query head reads KV head h / group, full softmax in double.
std::vector<double> gqa_reference(const GqaShape& s, VectorStore& cache, const std::vector<float>& q, int64_t n,
                                  int64_t start) {
    const int64_t dh = s.head_dim;
    std::vector<double> o(size_t(n * s.n_heads * dh), 0.0);
    for (int64_t h = 0; h < s.n_heads; ++h)
        for (int64_t t = 0; t < n; ++t) {
            const float* qh = &q[size_t((t * s.n_heads + h) * dh)];
            const int64_t key_offset = (h / s.group_size()) * dh;
            std::vector<double> scores;
            std::vector<std::vector<double>> values;
            for (int64_t p = 0; p <= start + t; ++p) {
                const float* row = cache.row(0, p);
                double score = 0;
                for (int64_t j = 0; j < dh; ++j) score += double(qh[j]) * row[key_offset + j];
                scores.push_back(score * s.softmax_scale);
                values.emplace_back(row + s.kv_width() + key_offset, row + s.kv_width() + key_offset + dh);
            }
            softmax_weighted_sum(&o[size_t((t * s.n_heads + h) * dh)], scores, values, dh);
        }
    return o;
}

TEST(TiledAttention, GqaMatchesFullSoftmaxReference) {
    GqaShape s;
    s.n_heads = 6;
    s.n_kv_heads = 2;
    s.head_dim = 10;
    s.softmax_scale = 0.3f;
    for (int64_t n : {1, 11})
        for (int64_t start : {0, 9}) {
            VectorStore cache(start + n, s.cache_width(), uint32_t(8 + n + start));
            const std::vector<float> q = gaussian(n * s.n_heads * s.head_dim, 9, 1.0f);
            const std::vector<double> want = gqa_reference(s, cache, q, n, start);
            for (int threads : {1, 2, 3}) {
                ThreadPool pool(threads);
                for (int64_t tile : {3, 7, 256}) {
                    std::vector<float> o(size_t(n * s.n_heads * s.head_dim));
                    gqa_attend(o.data(), q.data(), n, start, s, cache, 0, tile, pool);
                    EXPECT_LT(max_relative_error(o, want), tolerance)
                        << "n=" << n << " start=" << start << " threads=" << threads << " tile=" << tile;
                }
            }
        }
}

}  // namespace
}  // namespace whale
