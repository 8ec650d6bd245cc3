#include "whale/model/blocks/moe_ffn.h"

#include <algorithm>

#include "whale/core/error.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/matmul.h"

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

void moe_forward(float* out, const float* x, int64_t n, const MoeWeights& w, const RouterSettings& router,
                 ThreadPool& pool) {
    const int64_t d = w.gate.cols, n_experts = router.n_experts, top_k = router.top_k;
    std::vector<float> logits(size_t(n * n_experts));  // [n, E]
    matmul(logits.data(), x, n, w.gate, pool);

    std::vector<int32_t> chosen(size_t(n * top_k));    // [n, K]
    std::vector<float> weights(size_t(n * top_k));     // [n, K]
    std::vector<float> scratch(size_t(2 * n_experts));
    const float* bias = w.e_score_correction_bias.empty() ? nullptr : w.e_score_correction_bias.data();
    for (int64_t t = 0; t < n; ++t)
        route_token(&chosen[size_t(t * top_k)], &weights[size_t(t * top_k)], &logits[size_t(t * n_experts)], bias,
                    router, scratch.data());

    if (w.shared_experts.empty())
        std::fill(out, out + n * d, 0.0f);
    else
        swiglu_forward(out, x, n, w.shared_experts, pool);

    // Group the tokens routed to each expert so every expert runs one batched product.
    std::vector<float> xs, ys;
    std::vector<int64_t> rows;  // (token, k) pairs flattened as token * K + k
    for (int64_t e = 0; e < n_experts; ++e) {
        rows.clear();
        for (int64_t i = 0; i < n * top_k; ++i)
            if (chosen[size_t(i)] == e) rows.push_back(i);
        if (rows.empty()) continue;
        const int64_t m = int64_t(rows.size());
        xs.resize(size_t(m * d));
        ys.resize(size_t(m * d));
        for (int64_t r = 0; r < m; ++r) std::copy(x + (rows[size_t(r)] / top_k) * d, x + (rows[size_t(r)] / top_k + 1) * d, &xs[size_t(r * d)]);
        swiglu_forward(ys.data(), xs.data(), m, w.experts[size_t(e)], pool);
        for (int64_t r = 0; r < m; ++r) {
            const int64_t token = rows[size_t(r)] / top_k;
            axpy_f32(out + token * d, weights[size_t(rows[size_t(r)])], &ys[size_t(r * d)], d);
        }
    }
}

}  // namespace whale
