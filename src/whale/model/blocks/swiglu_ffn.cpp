#include "whale/model/blocks/swiglu_ffn.h"

#include <vector>

#include "whale/core/scratch.h"
#include "whale/kernels/activation.h"
#include "whale/kernels/matmul.h"
#include "whale/model/blocks/linear_forward.h"

namespace whale {

SwigluWeights load_swiglu(WeightLoader& loader, const std::string& prefix, int64_t d, int64_t i, bool bias) {
    SwigluWeights w;
    w.gate_proj = loader.linear(prefix + ".gate_proj", i, d, bias);
    w.up_proj = loader.linear(prefix + ".up_proj", i, d, bias);
    w.down_proj = loader.linear(prefix + ".down_proj", d, i, bias);
    return w;
}

void swiglu_forward(float* out, const float* x, int64_t n, const SwigluWeights& w, ThreadPool& pool) {
    const int64_t width = w.width();
    thread_local std::vector<float> gate_storage, up_storage;  // reused: decode allocates nothing
    float* gate = scratch(gate_storage, size_t(n * width));  // [n, I]
    float* up = scratch(up_storage, size_t(n * width));      // [n, I]
    // Gate and up in one dispatch, sharing x's quantised activations.
    const MatmulJob jobs[2] = {{gate, x, n, &w.gate_proj.weight}, {up, x, n, &w.up_proj.weight}};
    matmul_batch(jobs, 2, pool);
    linear_add_bias(gate, n, w.gate_proj);
    linear_add_bias(up, n, w.up_proj);
    swiglu_inplace(gate, up, n * width);
    linear_forward(out, gate, n, w.down_proj, pool);
}

}  // namespace whale
