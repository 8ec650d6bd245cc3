// Picks the next token from logits: greedy at temperature 0, otherwise seeded sampling with
// temperature, top-k and top-p. Same seed and same logits give the same tokens.
#pragma once

#include <cstdint>
#include <random>

namespace whale {

struct SamplerSettings {
    float temperature = 0.0f;  // 0 = greedy
    int top_k = 0;             // 0 = all
    float top_p = 1.0f;
    uint64_t seed = 0;
};

class Sampler {
public:
    explicit Sampler(const SamplerSettings& settings) : settings_(settings), rng_(settings.seed) {}
    int32_t sample(const float* logits, int64_t vocab_size);

private:
    SamplerSettings settings_;
    std::mt19937_64 rng_;
};

// Index of the largest logit; ties go to the lower index (as torch.argmax).
int32_t argmax(const float* logits, int64_t n);

}  // namespace whale
