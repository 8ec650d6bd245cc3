#include "whale/model/blocks/moe_ffn.h"

#include <algorithm>

#include "whale/core/error.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/activation.h"
#include "whale/kernels/matmul.h"
#include "whale/model/blocks/linear_forward.h"

namespace whale {

MoeWeights load_moe(WeightLoader& loader, const std::string& prefix, const RouterSettings& router, int64_t d,
                    int64_t expert_width, int64_t n_shared, bool with_bias, bool mlp_bias) {
    MoeWeights w;
    const int64_t n_experts = router.n_experts;
    w.gate = loader.matrix(prefix + ".gate.weight", n_experts, d);
    if (with_bias) w.e_score_correction_bias = loader.vector(prefix + ".gate.e_score_correction_bias", n_experts);

    const std::string fused_gate_up = prefix + ".experts.gate_up_proj";
    const bool fused = loader.has(fused_gate_up) && !loader.has(prefix + ".experts.0.gate_proj.weight");
    w.experts.resize(size_t(n_experts));
    for (int64_t e = 0; e < n_experts; ++e) {
        SwigluWeights& expert = w.experts[size_t(e)];
        if (fused) {
            WeightMatrix gate_up = loader.matrix_slice(fused_gate_up, n_experts, e, 2 * expert_width, d);
            expert.gate_proj.weight = weight_row_slice(gate_up, 0, expert_width);
            expert.up_proj.weight = weight_row_slice(gate_up, expert_width, expert_width);
            expert.down_proj.weight = loader.matrix_slice(prefix + ".experts.down_proj", n_experts, e, d, expert_width);
        } else {
            expert = load_swiglu(loader, str_cat(prefix, ".experts.", e), d, expert_width, mlp_bias);
        }
    }
    if (n_shared > 0) w.shared_experts = load_swiglu(loader, prefix + ".shared_experts", d, n_shared * expert_width, mlp_bias);
    return w;
}

namespace {

// Buffers reused from one call to the next so decode does not allocate (or page-fault fresh
// prefill-sized buffers) in every layer. The model runs one forward at a time per thread.
struct MoeScratch {
    std::vector<float> logits, weights, route, xs, gate, up, ys, shared_gate, shared_up;
    std::vector<int32_t> chosen;
    std::vector<int64_t> first_row, next_row, row_of_pair;
    std::vector<MatmulJob> jobs;
};

constexpr int64_t max_top_k = 64;  // DeepSeek models route 6 or 8

float* sized(std::vector<float>& v, int64_t n) {
    if (v.size() < size_t(n)) v.resize(size_t(n));
    return v.data();
}

// Routes every token (s.chosen, s.weights [n, K]) and groups the (token, k) pairs by expert:
// first_row [E + 1] prefix sums of each expert's rows, row_of_pair [n·K] the row each pair takes
// in that order (tokens ascending within an expert).
void route_and_group(MoeScratch& s, const float* x, int64_t n, const MoeWeights& w, const RouterSettings& router,
                     ThreadPool& pool) {
    const int64_t n_experts = router.n_experts, top_k = router.top_k, n_pairs = n * top_k;
    float* logits = sized(s.logits, n * n_experts);  // [n, E]
    matmul(logits, x, n, w.gate, pool);
    s.chosen.resize(size_t(n_pairs));
    float* weights = sized(s.weights, n_pairs);
    const float* bias = w.e_score_correction_bias.empty() ? nullptr : w.e_score_correction_bias.data();
    for (int64_t t = 0; t < n; ++t)
        route_token(&s.chosen[size_t(t * top_k)], &weights[t * top_k], &logits[t * n_experts], bias, router,
                    sized(s.route, 2 * n_experts));

    s.first_row.assign(size_t(n_experts) + 1, 0);
    for (int64_t i = 0; i < n_pairs; ++i) ++s.first_row[size_t(s.chosen[size_t(i)]) + 1];
    for (int64_t e = 0; e < n_experts; ++e) s.first_row[size_t(e) + 1] += s.first_row[size_t(e)];
    s.next_row.assign(s.first_row.begin(), s.first_row.end() - 1);
    s.row_of_pair.resize(size_t(n_pairs));
    for (int64_t i = 0; i < n_pairs; ++i) s.row_of_pair[size_t(i)] = s.next_row[size_t(s.chosen[size_t(i)])]++;
}

// Rows [first_row[e], first_row[e+1]) of the grouped buffers belong to expert e.
int64_t expert_rows(const MoeScratch& s, int64_t e, int64_t* first) {
    *first = s.first_row[size_t(e)];
    return s.first_row[size_t(e) + 1] - *first;
}

// gate = SiLU(xs · W_gateᵀ) ⊙ (xs · W_upᵀ) for every chosen expert and the shared experts, the
// products all in one dispatch. xs [n·K, D] grouped, gate/up [n·K, Ie], shared_gate/up [n, Is].
void gate_up_all(MoeScratch& s, const float* x, int64_t n, const float* xs, float* gate, float* up,
                 float* shared_gate, float* shared_up, const MoeWeights& w, ThreadPool& pool) {
    const int64_t d = w.gate.cols, n_experts = int64_t(w.experts.size()), n_pairs = int64_t(s.row_of_pair.size());
    const int64_t width = n_experts ? w.experts[0].width() : 0, shared_width = w.shared_experts.empty() ? 0 : w.shared_experts.width();
    s.jobs.clear();
    for (int64_t e = 0, row, m; e < n_experts; ++e) {
        if ((m = expert_rows(s, e, &row)) == 0) continue;
        const SwigluWeights& expert = w.experts[size_t(e)];
        s.jobs.push_back({gate + row * width, xs + row * d, m, &expert.gate_proj.weight});
        s.jobs.push_back({up + row * width, xs + row * d, m, &expert.up_proj.weight});
    }
    if (shared_width > 0) {
        s.jobs.push_back({shared_gate, x, n, &w.shared_experts.gate_proj.weight});
        s.jobs.push_back({shared_up, x, n, &w.shared_experts.up_proj.weight});
    }
    matmul_batch(s.jobs.data(), int64_t(s.jobs.size()), pool);
    for (int64_t e = 0, row, m; e < n_experts; ++e) {
        m = expert_rows(s, e, &row);
        linear_add_bias(gate + row * width, m, w.experts[size_t(e)].gate_proj);
        linear_add_bias(up + row * width, m, w.experts[size_t(e)].up_proj);
    }
    swiglu_inplace(gate, up, n_pairs * width);
    if (shared_width > 0) {
        linear_add_bias(shared_gate, n, w.shared_experts.gate_proj);
        linear_add_bias(shared_up, n, w.shared_experts.up_proj);
        swiglu_inplace(shared_gate, shared_up, n * shared_width);
    }
}

// ys [n·K, D] = each chosen expert's down projection of its rows of gate [n·K, Ie], and
// out [n, D] = the shared experts' of shared_gate [n, Is] (zeros without shared experts).
void down_all(MoeScratch& s, float* out, int64_t n, const float* gate, const float* shared_gate, float* ys,
              const MoeWeights& w, ThreadPool& pool) {
    const int64_t d = w.gate.cols, n_experts = int64_t(w.experts.size());
    const int64_t width = n_experts ? w.experts[0].width() : 0;
    s.jobs.clear();
    for (int64_t e = 0, row, m; e < n_experts; ++e)
        if ((m = expert_rows(s, e, &row)) > 0)
            s.jobs.push_back({ys + row * d, gate + row * width, m, &w.experts[size_t(e)].down_proj.weight});
    if (!w.shared_experts.empty()) s.jobs.push_back({out, shared_gate, n, &w.shared_experts.down_proj.weight});
    matmul_batch(s.jobs.data(), int64_t(s.jobs.size()), pool);
    for (int64_t e = 0, row, m; e < n_experts; ++e) {
        m = expert_rows(s, e, &row);
        linear_add_bias(ys + row * d, m, w.experts[size_t(e)].down_proj);
    }
    if (!w.shared_experts.empty())
        linear_add_bias(out, n, w.shared_experts.down_proj);
    else
        std::fill(out, out + n * d, 0.0f);
}

}  // namespace

void moe_forward(float* out, const float* x, int64_t n, const MoeWeights& w, const RouterSettings& router,
                 ThreadPool& pool) {
    // A reference, so the pool workers running `combine` see this thread's scratch, not their own.
    thread_local MoeScratch scratch;
    MoeScratch& s = scratch;
    const int64_t d = w.gate.cols, top_k = router.top_k, n_pairs = n * top_k;
    WHALE_CHECK(top_k <= max_top_k, "moe_forward: top_k ", top_k, " above ", max_top_k);
    route_and_group(s, x, n, w, router, pool);

    const int64_t width = w.experts.empty() ? 0 : w.experts[0].width();
    const int64_t shared_width = w.shared_experts.empty() ? 0 : w.shared_experts.width();
    float* xs = sized(s.xs, n_pairs * d);            // [n·K, D] token rows grouped by expert
    float* gate = sized(s.gate, n_pairs * width);    // [n·K, Ie]
    float* up = sized(s.up, n_pairs * width);        // [n·K, Ie]
    float* ys = sized(s.ys, n_pairs * d);            // [n·K, D]
    float* shared_gate = sized(s.shared_gate, n * shared_width);  // [n, Is]
    float* shared_up = sized(s.shared_up, n * shared_width);      // [n, Is]
    for (int64_t i = 0; i < n_pairs; ++i)
        std::copy(x + (i / top_k) * d, x + (i / top_k + 1) * d, xs + s.row_of_pair[size_t(i)] * d);
    gate_up_all(s, x, n, xs, gate, up, shared_gate, shared_up, w, pool);
    down_all(s, out, n, gate, shared_gate, ys, w, pool);

    // out[t] += Σ_k w_k · ys[row of (t, k)], experts in ascending index order as HF sums them.
    const float* weights = s.weights.data();
    auto combine = [&](int64_t begin, int64_t end) {
        int64_t order[max_top_k];
        for (int64_t t = begin; t < end; ++t) {
            for (int64_t k = 0; k < top_k; ++k) order[k] = t * top_k + k;
            std::sort(order, order + top_k, [&](int64_t a, int64_t b) { return s.chosen[size_t(a)] < s.chosen[size_t(b)]; });
            for (int64_t k = 0; k < top_k; ++k)
                axpy_f32(out + t * d, weights[order[k]], ys + s.row_of_pair[size_t(order[k])] * d, d);
        }
    };
    if (n >= 16)
        pool.parallel_for(n, combine);
    else
        combine(0, n);
}

}  // namespace whale
