#include "whale/runtime/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

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

void Sampler::count(std::vector<int32_t>& counts, std::vector<int32_t>& distinct, int32_t token) {
    if (token < 0) return;  // no logit to penalise
    if (size_t(token) >= counts.size()) counts.resize(size_t(token) + 1, 0);
    if (counts[size_t(token)]++ == 0) distinct.push_back(token);
}

void Sampler::reserve_vocabulary(int64_t vocab_size) {
    for (std::vector<int32_t>* v : {&seen_count_, &generated_count_})
        if (v->size() < size_t(vocab_size)) v->resize(size_t(vocab_size), 0);
    for (std::vector<int32_t>* v : {&seen_tokens_, &generated_tokens_}) v->reserve(size_t(vocab_size));
}

void Sampler::accept_prompt(const std::vector<int32_t>& tokens) {
    for (int32_t t : tokens) count(seen_count_, seen_tokens_, t);
}

void Sampler::accept(int32_t token) {
    count(seen_count_, seen_tokens_, token);
    count(generated_count_, generated_tokens_, token);
}

void Sampler::adjust_logits(float* out, const float* logits, int64_t vocab_size) const {
    std::copy(logits, logits + vocab_size, out);
    for (const auto& [token, bias] : settings_.logit_bias) {
        WHALE_CHECK(token >= 0 && token < vocab_size, "logit_bias: token ", token, " outside the vocabulary [0, ",
                    vocab_size, ")");
        out[size_t(token)] += bias;
    }
    if (settings_.repetition_penalty != 1.0f) {
        for (int32_t token : seen_tokens_) {
            if (token >= vocab_size) continue;
            float& v = out[size_t(token)];
            v = v > 0.0f ? v / settings_.repetition_penalty : v * settings_.repetition_penalty;
        }
    }
    if (settings_.presence_penalty != 0.0f || settings_.frequency_penalty != 0.0f) {
        for (int32_t token : generated_tokens_) {
            if (token >= vocab_size) continue;
            out[size_t(token)] -=
                settings_.presence_penalty + settings_.frequency_penalty * float(generated_count_[size_t(token)]);
        }
    }
}

std::vector<float> Sampler::adjusted_logits(const float* logits, int64_t vocab_size) const {
    std::vector<float> out(static_cast<size_t>(vocab_size));
    adjust_logits(out.data(), logits, vocab_size);
    return out;
}

void Sampler::find_candidates(Candidates& c, const float* logits, int64_t vocab_size) const {
    // Only as much of the vocabulary is sorted as the filters need: a full sort of a 129k-entry
    // vocabulary per token costs more than a small model's whole forward.
    std::vector<int32_t>& order = c.order;
    order.resize(static_cast<size_t>(vocab_size));
    std::iota(order.begin(), order.end(), 0);
    auto by_logit = [&](int32_t a, int32_t b) { return logits[a] != logits[b] ? logits[a] > logits[b] : a < b; };
    int64_t keep = vocab_size;
    int64_t n_sorted = 0;  // order[0, n_sorted) holds the most likely tokens in descending order
    auto sort_prefix = [&](int64_t n) {
        n = std::min(n, keep);
        if (n <= n_sorted) return;
        std::partial_sort(order.begin() + n_sorted, order.begin() + n, order.begin() + keep, by_logit);
        n_sorted = n;
    };
    if (settings_.top_k > 0 && settings_.top_k < vocab_size) {
        std::nth_element(order.begin(), order.begin() + (settings_.top_k - 1), order.end(), by_logit);
        keep = settings_.top_k;
    }

    const double max_logit = logits[*std::min_element(order.begin(), order.begin() + keep, by_logit)];
    const double inv_temperature = 1.0 / settings_.temperature;
    // Single-precision exponentials (the relative weights need no more) summed in double.
    c.weights.resize(static_cast<size_t>(vocab_size));  // by token id, top-k set only
    float* weights = c.weights.data();
    const float max_logit_f = float(max_logit), inv_temperature_f = float(inv_temperature);
    double total = 0.0;
    for (int64_t i = 0; i < keep; ++i) {
        const int32_t id = order[size_t(i)];
        weights[id] = std::exp((logits[id] - max_logit_f) * inv_temperature_f);
        total += weights[id];
    }

    // min-p keeps every token with p >= min_p · p_max, i.e. a logit within T·ln(min_p) of the best:
    // a count, no sort needed. top-p then keeps the shortest sorted prefix reaching its mass (of the
    // top-k set); the tighter of the two wins.
    int64_t limit = keep;
    if (settings_.min_p > 0.0f) {
        const double threshold = max_logit + settings_.temperature * std::log(double(settings_.min_p));
        limit = std::count_if(order.begin(), order.begin() + keep,
                              [&](int32_t id) { return double(logits[id]) >= threshold; });
        limit = std::max<int64_t>(limit, 1);
    }
    if (settings_.top_p < 1.0f) {
        double cumulative = 0.0;
        int64_t i = 0;
        for (int64_t chunk = 64; i < limit; chunk *= 4) {
            sort_prefix(std::min(limit, i + chunk));
            for (; i < n_sorted; ++i) {
                cumulative += weights[order[size_t(i)]] / total;
                if (cumulative >= settings_.top_p) break;
            }
            if (i < n_sorted) {
                limit = i + 1;
                break;
            }
        }
    }
    if (limit < keep) {
        sort_prefix(limit);
        keep = limit;
    }

    c.count = keep;
    c.mass = keep < vocab_size ? 0.0 : total;
    if (keep < vocab_size)
        for (int64_t i = 0; i < keep; ++i) c.mass += weights[order[size_t(i)]];
}

int32_t Sampler::sample(const float* raw_logits, int64_t vocab_size) {
    reserve_vocabulary(vocab_size);
    adjusted_.resize(static_cast<size_t>(vocab_size));
    adjust_logits(adjusted_.data(), raw_logits, vocab_size);
    if (settings_.temperature <= 0.0f) return argmax(adjusted_.data(), vocab_size);
    Candidates& c = candidates_;
    find_candidates(c, adjusted_.data(), vocab_size);
    double u = std::uniform_real_distribution<double>(0.0, c.mass)(rng_);
    for (int64_t i = 0; i < c.count; ++i) {
        const int32_t id = c.order[size_t(i)];
        u -= c.weights[size_t(id)];
        if (u < 0.0) return id;
    }
    return c.order[size_t(c.count - 1)];
}

std::vector<double> Sampler::distribution(const float* raw_logits, int64_t vocab_size) const {
    std::vector<float> logits = adjusted_logits(raw_logits, vocab_size);
    std::vector<double> out(static_cast<size_t>(vocab_size), 0.0);
    if (settings_.temperature <= 0.0f) {
        out[size_t(argmax(logits.data(), vocab_size))] = 1.0;
        return out;
    }
    Candidates c;
    find_candidates(c, logits.data(), vocab_size);
    for (int64_t i = 0; i < c.count; ++i) {
        const int32_t id = c.order[size_t(i)];
        out[size_t(id)] = c.weights[size_t(id)] / c.mass;
    }
    return out;
}

int32_t Sampler::sample_from(const std::vector<double>& weights) {
    std::discrete_distribution<int64_t> pick(weights.begin(), weights.end());
    return int32_t(pick(rng_));
}

}  // namespace whale
