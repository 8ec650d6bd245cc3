#include "whale/runtime/speculative/speculation_benchmark.h"

#include <chrono>

#include "whale/core/error.h"
#include "whale/runtime/speculative/mtp_drafter.h"

namespace whale {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Plain decoding: one forward per token. Returns the tokens; decode seconds in *seconds.
std::vector<int32_t> decode_plain(const Engine& engine, const SpeculationBenchmarkOptions& o, double* seconds) {
    auto session = engine.new_session();
    Sampler sampler(o.sampler);
    sampler.accept_prompt(o.prompt);
    std::vector<float> logits = session->append(o.prompt);
    const auto start = Clock::now();
    std::vector<int32_t> out;
    while (int(out.size()) < o.n_tokens) {
        out.push_back(sampler.sample(logits.data(), engine.model().vocab_size));
        sampler.accept(out.back());
        if (int(out.size()) < o.n_tokens) logits = session->append({out.back()});
    }
    *seconds = seconds_since(start);
    return out;
}

std::vector<int32_t> decode_speculative(const Engine& engine, const SpeculationBenchmarkOptions& o, double* seconds,
                                        SpeculativeStats* stats) {
    auto session = engine.new_drafting_session();
    MtpDrafter drafter(engine);
    Sampler sampler(o.sampler);
    sampler.accept_prompt(o.prompt);
    SpeculativeDecoder decoder(*session, sampler, drafter, o.n_draft);
    std::vector<int32_t> out = {decoder.start(o.prompt)};
    // The first token comes from the prompt's logits, as in plain decoding, whose timer starts after it.
    const auto start = Clock::now();
    while (int(out.size()) < o.n_tokens) {
        std::vector<int32_t> step = decoder.step(o.n_tokens - int(out.size()));
        out.insert(out.end(), step.begin(), step.end());
    }
    *seconds = seconds_since(start);
    *stats = decoder.stats();
    return out;
}

}  // namespace

SpeculationBenchmark benchmark_speculation(const Engine& engine, const SpeculationBenchmarkOptions& options) {
    WHALE_CHECK(!options.prompt.empty(), "speculation benchmark: empty prompt");
    WHALE_CHECK(options.n_tokens >= 2, "speculation benchmark: generate at least 2 tokens (", options.n_tokens, " asked)");
    WHALE_CHECK(options.n_draft >= 1, "speculation benchmark: draft length ", options.n_draft, " must be at least 1");
    SpeculationBenchmark result;
    double plain_seconds = 0.0, speculative_seconds = 0.0;
    const std::vector<int32_t> speculative = decode_speculative(engine, options, &speculative_seconds, &result.stats);
    const std::vector<int32_t> plain = decode_plain(engine, options, &plain_seconds);
    // Both clocks cover the n_tokens - 1 tokens decoded after the prompt's own.
    const double decoded = double(options.n_tokens - 1);
    result.plain_tokens_per_second = decoded / std::max(plain_seconds, 1e-9);
    result.speculative_tokens_per_second = decoded / std::max(speculative_seconds, 1e-9);
    result.speedup = result.speculative_tokens_per_second / result.plain_tokens_per_second;
    result.outputs_identical = plain == speculative;
    return result;
}

}  // namespace whale
