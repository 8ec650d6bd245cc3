// A DeepSeek MoE feed-forward layer: router, routed SwiGLU experts, always-on shared experts.
#pragma once

#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/blocks/moe_router.h"
#include "whale/model/blocks/swiglu_ffn.h"

namespace whale {

struct MoeWeights {
    WeightMatrix gate;                           // router [E, D]
    std::vector<float> e_score_correction_bias;  // [E], noaux_tc only (else empty)
    std::vector<SwigluWeights> experts;          // E experts of width Ie
    SwigluWeights shared_experts;                // width n_shared · Ie; empty if none
};

// Loads `<prefix>.gate.weight`, the experts in the released per-expert layout
// (`<prefix>.experts.{e}.{gate,up,down}_proj.weight`) or the fused transformers layout
// (`<prefix>.experts.gate_up_proj` [E, 2·Ie, D], `<prefix>.experts.down_proj` [E, D, Ie]),
// and `<prefix>.shared_experts.*` when n_shared > 0.
MoeWeights load_moe(WeightLoader& loader, const std::string& prefix, const RouterSettings& router, int64_t d,
                    int64_t expert_width, int64_t n_shared, bool with_bias, bool mlp_bias);

// out [n, D] = Σ_k w_k · Expert_k(x) + Shared(x); out must not alias x.
void moe_forward(float* out, const float* x, int64_t n, const MoeWeights& w, const RouterSettings& router,
                 ThreadPool& pool);

}  // namespace whale
