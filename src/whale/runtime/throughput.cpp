#include "whale/runtime/throughput.h"

#include <chrono>
#include <cmath>
#include <random>

#include "whale/core/error.h"

namespace whale {

namespace {

std::vector<int32_t> random_tokens(int64_t n, int64_t vocab, std::mt19937_64& rng) {
    std::uniform_int_distribution<int32_t> pick(0, int32_t(vocab - 1));
    std::vector<int32_t> tokens(static_cast<size_t>(n));
    for (int32_t& t : tokens) t = pick(rng);
    return tokens;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<double> time_prefill(const Engine& engine, int64_t n_prompt, int runs, uint64_t seed,
                                 const std::function<void()>& after_run) {
    WHALE_CHECK(n_prompt > 0 && runs > 0, "prefill benchmark needs tokens and runs");
    std::mt19937_64 rng(seed);
    const std::vector<int32_t> prompt = random_tokens(n_prompt, engine.model().vocab_size, rng);
    std::unique_ptr<Session> session = engine.new_session();
    std::vector<double> seconds;
    for (int r = -1; r < runs; ++r) {  // r = -1: warm-up
        session->rewind(0);
        const auto start = std::chrono::steady_clock::now();
        session->append(prompt);
        if (r >= 0) seconds.push_back(seconds_since(start));
        if (after_run) after_run();
    }
    return seconds;
}

std::vector<double> time_decode(const Engine& engine, int64_t n_gen, int64_t depth, int runs, uint64_t seed,
                                const std::function<void()>& after_run) {
    WHALE_CHECK(n_gen > 0 && runs > 0 && depth >= 0, "decode benchmark needs tokens, runs and a depth >= 0");
    std::mt19937_64 rng(seed);
    const std::vector<int32_t> tokens = random_tokens(n_gen, engine.model().vocab_size, rng);
    std::unique_ptr<Session> session = engine.new_session();
    session->append_synthetic(depth, tokens.front(), seed);
    std::vector<double> seconds;
    for (int r = -1; r < runs; ++r) {  // r = -1: warm-up, one step
        session->rewind(depth);
        const int64_t steps = r < 0 ? 1 : n_gen;
        const auto start = std::chrono::steady_clock::now();
        for (int64_t i = 0; i < steps; ++i) session->append({tokens[size_t(i)]});
        if (r >= 0) seconds.push_back(seconds_since(start));
        if (after_run) after_run();
    }
    return seconds;
}

std::vector<double> time_batched_decode(const Engine& engine, int64_t n_gen, int64_t depth, int batch, int runs,
                                        uint64_t seed, const std::function<void()>& after_run) {
    WHALE_CHECK(n_gen > 0 && runs > 0 && depth >= 0 && batch > 0,
                "batched decode benchmark needs tokens, runs, a depth >= 0 and a batch >= 1");
    std::mt19937_64 rng(seed);
    std::vector<std::unique_ptr<Session>> sessions;
    std::vector<std::vector<int32_t>> tokens;
    for (int b = 0; b < batch; ++b) {
        tokens.push_back(random_tokens(n_gen, engine.model().vocab_size, rng));
        sessions.push_back(engine.new_session());
        sessions.back()->append_synthetic(depth, tokens.back().front(), seed + uint64_t(b));
    }
    std::vector<Engine::BatchEntry> entries(static_cast<size_t>(batch));
    std::vector<double> seconds;
    for (int r = -1; r < runs; ++r) {  // r = -1: warm-up, one step
        for (auto& session : sessions) session->rewind(depth);
        const int64_t steps = r < 0 ? 1 : n_gen;
        const auto start = std::chrono::steady_clock::now();
        for (int64_t i = 0; i < steps; ++i) {
            for (int b = 0; b < batch; ++b) entries[size_t(b)] = {sessions[size_t(b)].get(), {tokens[size_t(b)][size_t(i)]}};
            engine.step(entries, {});
        }
        if (r >= 0) seconds.push_back(seconds_since(start));
        if (after_run) after_run();
    }
    return seconds;
}

RateSummary summarize_rates(const std::vector<double>& seconds, int64_t tokens_per_run) {
    RateSummary s;
    for (double t : seconds) s.per_run.push_back(double(tokens_per_run) / t);
    const double n = double(s.per_run.size());
    for (double r : s.per_run) s.mean += r / n;
    if (s.per_run.size() > 1) {
        double sum_sq = 0.0;
        for (double r : s.per_run) sum_sq += (r - s.mean) * (r - s.mean);
        s.stddev = std::sqrt(sum_sq / (n - 1.0));
    }
    return s;
}

}  // namespace whale
