// The SwiGLU MLP used for dense layers, every routed expert and the shared experts
// (docs/models/deepseek_v3.md, 'SwiGLU MLP'): FFN(x) = (SiLU(x·W_gateᵀ) ⊙ (x·W_upᵀ)) · W_downᵀ.
#pragma once

#include <string>

#include "whale/core/thread_pool.h"
#include "whale/model/weight_loader.h"

namespace whale {

struct SwigluWeights {
    Linear gate_proj;  // [I, D]
    Linear up_proj;    // [I, D]
    Linear down_proj;  // [D, I]
    bool empty() const { return gate_proj.weight.empty(); }
    int64_t width() const { return gate_proj.out_features(); }
};

// Loads `<prefix>.gate_proj`, `.up_proj`, `.down_proj` for hidden size d and width i.
SwigluWeights load_swiglu(WeightLoader& loader, const std::string& prefix, int64_t d, int64_t i, bool bias);

// out [n, D] = FFN(x [n, D]); out must not alias x.
void swiglu_forward(float* out, const float* x, int64_t n, const SwigluWeights& w, ThreadPool& pool);

}  // namespace whale
