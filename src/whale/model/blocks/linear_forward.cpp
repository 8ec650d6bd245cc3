#include "whale/model/blocks/linear_forward.h"

#include "whale/kernels/matmul.h"

namespace whale {

void linear_forward(float* y, const float* x, int64_t n, const Linear& layer, ThreadPool& pool) {
    matmul(y, x, n, layer.weight, pool);
    linear_add_bias(y, n, layer);
}

void linear_add_bias(float* y, int64_t n, const Linear& layer) {
    if (layer.bias.empty()) return;
    const int64_t out = layer.out_features();
    for (int64_t t = 0; t < n; ++t)
        for (int64_t i = 0; i < out; ++i) y[t * out + i] += layer.bias[size_t(i)];
}

}  // namespace whale
