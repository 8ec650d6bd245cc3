#include "whale/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace whale {

int32_t argmax(const float* logits, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
        if (logits[i] > logits[best]) best = i;
    return int32_t(best);
}

int32_t Sampler::sample(const float* logits, int64_t vocab_size) {
    if (settings_.temperature <= 0.0f) return argmax(logits, vocab_size);
    std::vector<int32_t> order(static_cast<size_t>(vocab_size));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return logits[a] != logits[b] ? logits[a] > logits[b] : a < b;
    });
    int64_t keep = vocab_size;
    if (settings_.top_k > 0) keep = std::min<int64_t>(keep, settings_.top_k);
    std::vector<double> probs(static_cast<size_t>(keep));
    const double max_logit = logits[order[0]];
    double sum = 0.0;
    for (int64_t i = 0; i < keep; ++i) {
        probs[size_t(i)] = std::exp((double(logits[order[size_t(i)]]) - max_logit) / settings_.temperature);
        sum += probs[size_t(i)];
    }
    if (settings_.top_p < 1.0f) {
        double cumulative = 0.0;
        int64_t cut = keep;
        for (int64_t i = 0; i < keep; ++i) {
            cumulative += probs[size_t(i)] / sum;
            if (cumulative >= settings_.top_p) {
                cut = i + 1;
                break;
            }
        }
        keep = cut;
        probs.resize(size_t(keep));
    }
    std::discrete_distribution<int64_t> pick(probs.begin(), probs.end());
    return order[size_t(pick(rng_))];
}

}  // namespace whale
