// A random MLA layer for attention tests and benchmarks: the shape, f32 kv_b_proj and o_proj
// weights drawn N(0, scale²) from fixed seeds, and a contiguous latent cache of N(0, 1) rows.
// Header-only so bench/kernels can use it without linking the tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "whale/model/blocks/mla_attention.h"

namespace whale::testing {

// n values drawn N(0, scale²) from their own stream `seed`.
inline std::vector<float> gaussian(int64_t n, uint32_t seed, float scale) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = dist(rng);
    return v;
}

// `capacity` rows of `width` floats, one array for every layer, filled N(0, 1) from `seed`.
class VectorLatentStore : public LatentKvStore {
public:
    VectorLatentStore(int64_t capacity, int64_t width, uint32_t seed)
        : width_(width), capacity_(capacity), rows_(gaussian(capacity * width, seed, 1.0f)) {}
    float* row(int, int64_t position) override { return rows_.data() + position * width_; }
    int64_t capacity() const override { return capacity_; }

private:
    int64_t width_, capacity_;
    std::vector<float> rows_;  // [capacity, width] f32
};

// The attention shape of one MLA layer: D, H, C, Dn, Dr, Dv (mla_attention.h) and the softmax scale.
inline MlaShape mla_shape(int64_t hidden, int64_t heads, int64_t latent, int64_t nope, int64_t rope, int64_t v,
                          float softmax_scale) {
    MlaShape s;
    s.hidden_size = hidden;
    s.n_heads = heads;
    s.kv_lora_rank = latent;
    s.nope_dim = nope;
    s.rope_dim = rope;
    s.v_dim = v;
    s.softmax_scale = softmax_scale;
    return s;
}

// One MLA layer's attention weights for `shape`: kv_b_proj from seed 1, o_proj from seed 2 (none
// when shape.hidden_size is 0, for tests that stop before the output projection).
struct RandomMla {
    MlaShape s;
    std::vector<float> kv_b;    // [H·(Dn+Dv), C]
    std::vector<float> o_proj;  // [D, H·Dv]
    MlaWeights w;               // f32 views of the two

    RandomMla(const MlaShape& shape, float kv_b_scale, float o_proj_scale) : s(shape) {
        const int64_t head_kv_rows = s.n_heads * (s.nope_dim + s.v_dim);
        kv_b = gaussian(head_kv_rows * s.kv_lora_rank, 1, kv_b_scale);
        w.kv_b_proj.weight = WeightMatrix{DType::DType_f32, head_kv_rows, s.kv_lora_rank, kv_b.data()};
        if (s.hidden_size > 0) {
            o_proj = gaussian(s.hidden_size * s.n_heads * s.v_dim, 2, o_proj_scale);
            w.o_proj.weight = WeightMatrix{DType::DType_f32, s.hidden_size, s.n_heads * s.v_dim, o_proj.data()};
        }
    }
    RandomMla(const RandomMla&) = delete;  // w points into kv_b and o_proj
    RandomMla& operator=(const RandomMla&) = delete;
};

}  // namespace whale::testing
