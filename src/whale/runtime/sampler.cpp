#include "whale/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "whale/core/error.h"

namespace whale {

int32_t argmax(const float* logits, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
        if (logits[i] > logits[best]) best = i;
    return int32_t(best);
}

void log_softmax(float* out, const float* logits, int64_t n) {
    double max_logit = logits[argmax(logits, n)];
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(double(logits[i]) - max_logit);
    const double log_sum = std::log(sum) + max_logit;
    for (int64_t i = 0; i < n; ++i) out[i] = float(double(logits[i]) - log_sum);
}

void Sampler::accept_prompt(const std::vector<int32_t>& tokens) {
    for (int32_t t : tokens) ++seen_[t];
}

void Sampler::accept(int32_t token) {
    ++seen_[token];
    ++generated_count_[token];
}

std::vector<float> Sampler::adjusted_logits(const float* logits, int64_t vocab_size) const {
    std::vector<float> out(logits, logits + vocab_size);
    for (const auto& [token, bias] : settings_.logit_bias) {
        WHALE_CHECK(token >= 0 && token < vocab_size, "logit_bias: token ", token, " outside the vocabulary [0, ",
                    vocab_size, ")");
        out[size_t(token)] += bias;
    }
    if (settings_.repetition_penalty != 1.0f) {
        for (const auto& [token, count] : seen_) {
            if (token < 0 || token >= vocab_size) continue;
            float& v = out[size_t(token)];
            v = v > 0.0f ? v / settings_.repetition_penalty : v * settings_.repetition_penalty;
        }
    }
    if (settings_.presence_penalty != 0.0f || settings_.frequency_penalty != 0.0f) {
        for (const auto& [token, count] : generated_count_) {
            if (token < 0 || token >= vocab_size) continue;
            out[size_t(token)] -= settings_.presence_penalty + settings_.frequency_penalty * float(count);
        }
    }
    return out;
}

Sampler::Candidates Sampler::candidates(const std::vector<float>& logits) const {
    const int64_t vocab_size = int64_t(logits.size());
    std::vector<int32_t> order(static_cast<size_t>(vocab_size));
    std::iota(order.begin(), order.end(), 0);
    int64_t keep = settings_.top_k > 0 ? std::min<int64_t>(settings_.top_k, vocab_size) : vocab_size;
    auto by_logit = [&](int32_t a, int32_t b) { return logits[size_t(a)] != logits[size_t(b)] ? logits[size_t(a)] > logits[size_t(b)] : a < b; };
    std::partial_sort(order.begin(), order.begin() + keep, order.end(), by_logit);

    std::vector<double> probs(static_cast<size_t>(keep));
    const double max_logit = logits[size_t(order[0])];
    double sum = 0.0;
    for (int64_t i = 0; i < keep; ++i) {
        probs[size_t(i)] = std::exp((double(logits[size_t(order[size_t(i)])]) - max_logit) / settings_.temperature);
        sum += probs[size_t(i)];
    }
    if (settings_.top_p < 1.0f) {
        // Smallest prefix of the sorted distribution whose mass reaches top_p (always >= 1 token).
        double cumulative = 0.0;
        for (int64_t i = 0; i < keep; ++i) {
            cumulative += probs[size_t(i)] / sum;
            if (cumulative >= settings_.top_p) {
                keep = i + 1;
                break;
            }
        }
    }
    if (settings_.min_p > 0.0f) {
        const double threshold = settings_.min_p * probs[0];
        int64_t i = 1;
        while (i < keep && probs[size_t(i)] >= threshold) ++i;
        keep = i;
    }
    probs.resize(size_t(keep));
    order.resize(size_t(keep));
    return Candidates{std::move(order), std::move(probs)};
}

int32_t Sampler::sample(const float* raw_logits, int64_t vocab_size) {
    std::vector<float> logits = adjusted_logits(raw_logits, vocab_size);
    if (settings_.temperature <= 0.0f) return argmax(logits.data(), vocab_size);
    Candidates c = candidates(logits);
    std::discrete_distribution<int64_t> pick(c.weights.begin(), c.weights.end());
    return c.tokens[size_t(pick(rng_))];
}

std::vector<double> Sampler::distribution(const float* raw_logits, int64_t vocab_size) const {
    std::vector<float> logits = adjusted_logits(raw_logits, vocab_size);
    std::vector<double> out(static_cast<size_t>(vocab_size), 0.0);
    if (settings_.temperature <= 0.0f) {
        out[size_t(argmax(logits.data(), vocab_size))] = 1.0;
        return out;
    }
    Candidates c = candidates(logits);
    double sum = 0.0;
    for (double w : c.weights) sum += w;
    for (size_t i = 0; i < c.tokens.size(); ++i) out[size_t(c.tokens[i])] = c.weights[i] / sum;
    return out;
}

int32_t Sampler::sample_from(const std::vector<double>& weights) {
    std::discrete_distribution<int64_t> pick(weights.begin(), weights.end());
    return int32_t(pick(rng_));
}

}  // namespace whale
