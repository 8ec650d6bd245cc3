// Absorbed MLA decode: the split-position online softmax against a direct per-head reference, at
// contexts that leave the chunks and thread parts uneven; and the Q8_0 k_b / v_b path (a Q8_0
// GGUF's attn_k_b, attn_v_b read in place) against the f32 kv_b_proj widened from them.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/mla_fixture.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/activation.h"
#include "whale/kernels/quant/dequantize.h"
#include "whale/kernels/quant/quantize.h"
#include "whale/model/blocks/mla_attention.h"

namespace whale {
namespace {

using testing::gaussian;
using VectorStore = testing::VectorLatentStore;

// The random layer plus k_b / v_b cut from its kv_b_proj and quantised, as a Q8_0 GGUF holds them.
struct Fixture : testing::RandomMla {
    std::vector<float> k_b_f32, v_b_f32;
    std::vector<BlockQ8_0> k_b, v_b;

    Fixture() : RandomMla(testing::mla_shape(64, 3, 64, 32, 16, 32, 0.15f), 0.2f, 0.1f) {
        const int64_t h = s.n_heads, c = s.kv_lora_rank, dn = s.nope_dim, dv = s.v_dim, head_kv = dn + dv;
        // k_b [H·C, Dn] (each head's key rows transposed) and v_b [H·Dv, C], quantised to Q8_0.
        k_b_f32.resize(size_t(h * c * dn));
        v_b_f32.resize(size_t(h * dv * c));
        for (int64_t head = 0; head < h; ++head) {
            for (int64_t j = 0; j < dn; ++j)
                for (int64_t latent = 0; latent < c; ++latent)
                    k_b_f32[size_t((head * c + latent) * dn + j)] = kv_b[size_t((head * head_kv + j) * c + latent)];
            for (int64_t j = 0; j < dv; ++j)
                for (int64_t latent = 0; latent < c; ++latent)
                    v_b_f32[size_t((head * dv + j) * c + latent)] = kv_b[size_t((head * head_kv + dn + j) * c + latent)];
        }
        k_b.resize(k_b_f32.size() / QK8_0);
        v_b.resize(v_b_f32.size() / QK8_0);
        quantize_row_q8_0(k_b.data(), k_b_f32.data(), int64_t(k_b_f32.size()));
        quantize_row_q8_0(v_b.data(), v_b_f32.data(), int64_t(v_b_f32.size()));
    }

    std::vector<float> attend(const MlaWeights& weights, VectorStore& cache, int64_t context, const MlaQueries& q,
                              ThreadPool& pool) const {
        BatchLayout layout;
        layout.n_tokens = 1;
        layout.positions = {context - 1};
        layout.caches = {&cache};
        layout.first_token = {0};
        layout.sequences = {SequenceInBatch{&cache, context - 1, 1, false}};
        std::vector<float> out(static_cast<size_t>(s.hidden_size));
        mla_attend(out.data(), q, layout, weights, s, 0, AttentionPath::AttentionPath_absorbed, {}, pool);
        return out;
    }

    // Per-head reference in double: expanded keys and values, plain softmax, then o_proj.
    std::vector<float> reference(VectorStore& cache, int64_t context, const MlaQueries& q) const {
        const int64_t h = s.n_heads, c = s.kv_lora_rank, dn = s.nope_dim, dv = s.v_dim, head_kv = dn + dv;
        std::vector<double> o(size_t(h * dv), 0.0);
        for (int64_t head = 0; head < h; ++head) {
            const float* qh = &q.q[size_t(head * s.qk_dim())];
            std::vector<double> scores(static_cast<size_t>(context));
            double max_score = -1e300;
            for (int64_t p = 0; p < context; ++p) {
                const float* row = cache.row(0, p);
                double score = 0;
                for (int64_t j = 0; j < dn; ++j) {
                    double key = 0;
                    for (int64_t latent = 0; latent < c; ++latent) key += double(kv_b[size_t((head * head_kv + j) * c + latent)]) * row[latent];
                    score += double(qh[j]) * key;
                }
                for (int64_t j = 0; j < s.rope_dim; ++j) score += double(qh[dn + j]) * row[c + j];
                scores[size_t(p)] = score * s.softmax_scale;
                max_score = std::max(max_score, scores[size_t(p)]);
            }
            double total = 0;
            for (double& v : scores) total += (v = std::exp(v - max_score));
            for (int64_t p = 0; p < context; ++p) {
                const float* row = cache.row(0, p);
                for (int64_t j = 0; j < dv; ++j) {
                    double value = 0;
                    for (int64_t latent = 0; latent < c; ++latent) value += double(kv_b[size_t((head * head_kv + dn + j) * c + latent)]) * row[latent];
                    o[size_t(head * dv + j)] += scores[size_t(p)] / total * value;
                }
            }
        }
        std::vector<float> out(static_cast<size_t>(s.hidden_size));
        for (int64_t i = 0; i < s.hidden_size; ++i) {
            double sum = 0;
            for (int64_t k = 0; k < h * dv; ++k) sum += double(o_proj[size_t(i * h * dv + k)]) * o[size_t(k)];
            out[size_t(i)] = float(sum);
        }
        return out;
    }
};

double max_relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double scale = 0, err = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        scale = std::max(scale, std::fabs(double(want[i])));
        err = std::max(err, std::fabs(double(got[i]) - double(want[i])));
    }
    return err / scale;
}

TEST(MlaAbsorbed, SplitPositionsMatchReference) {
    const Fixture f;
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        for (int64_t context : {1, 2, 31, 32, 33, 97}) {
            VectorStore cache(context, f.s.cache_width(), uint32_t(context));
            MlaQueries q;
            q.q = gaussian(f.s.n_heads * f.s.qk_dim(), 7, 1.0f);
            const double error = max_relative_error(f.attend(f.w, cache, context, q, pool), f.reference(cache, context, q));
            EXPECT_LT(error, 2e-5) << "threads=" << threads << " context=" << context;
        }
    }
}

// A Q8_0 GGUF's k_b / v_b read in place give what the f32 kv_b_proj widened from the same
// values gives (activations stay f32), to float rounding. kv_b_proj is zeroed in the quantised
// weights, so a match also proves the in-place path was taken.
TEST(MlaAbsorbed, Q8_0KbVbMatchTheirF32Widening) {
    Fixture f;
    const int64_t h = f.s.n_heads, c = f.s.kv_lora_rank, dn = f.s.nope_dim, dv = f.s.v_dim, head_kv = dn + dv;
    // kv_b_proj := the dequantised Q8_0 k_b / v_b, laid out as the import widens them.
    std::vector<float> k_deq(f.k_b_f32.size()), v_deq(f.v_b_f32.size());
    dequantize_row_q8_0(k_deq.data(), f.k_b.data(), int64_t(k_deq.size()));
    dequantize_row_q8_0(v_deq.data(), f.v_b.data(), int64_t(v_deq.size()));
    for (int64_t head = 0; head < h; ++head)
        for (int64_t latent = 0; latent < c; ++latent) {
            for (int64_t j = 0; j < dn; ++j)
                f.kv_b[size_t((head * head_kv + j) * c + latent)] = k_deq[size_t((head * c + latent) * dn + j)];
            for (int64_t j = 0; j < dv; ++j)
                f.kv_b[size_t((head * head_kv + dn + j) * c + latent)] = v_deq[size_t((head * dv + j) * c + latent)];
        }
    std::vector<float> zeros(f.kv_b.size(), 0.0f);
    MlaWeights quantised = f.w;
    quantised.kv_b_proj.weight.data = zeros.data();
    quantised.k_b = WeightMatrix{DType::DType_q8_0, h * c, dn, f.k_b.data()};
    quantised.v_b = WeightMatrix{DType::DType_q8_0, h * dv, c, f.v_b.data()};
    ThreadPool pool(2);
    for (int64_t context : {1, 40}) {
        VectorStore cache(context, f.s.cache_width(), 11);
        MlaQueries q;
        q.q = gaussian(h * f.s.qk_dim(), 8, 1.0f);
        const std::vector<float> want = f.attend(f.w, cache, context, q, pool);
        EXPECT_LT(max_relative_error(f.attend(quantised, cache, context, q, pool), want), 1e-5) << "context=" << context;
    }
}

}  // namespace
}  // namespace whale
