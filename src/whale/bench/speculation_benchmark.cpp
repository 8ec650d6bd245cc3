#include "whale/bench/speculation_benchmark.h"

#include <chrono>

#include "whale/core/error.h"

namespace whale {

namespace {

using Clock = std::chrono::steady_clock;

// One request on a scheduler of its own; the tokens, decode seconds in *seconds (from the first
// token, which the prompt's forward gives, to the last) and the scheduler's counters in *stats.
std::vector<int32_t> decode(const Engine& engine, const SpeculationBenchmarkOptions& o, int n_draft, double* seconds,
                            SchedulerStats* stats) {
    SchedulerOptions options;
    options.max_running = 1;
    options.n_draft = n_draft;
    options.n_blocks = (engine.max_context() + options.block_positions - 1) / options.block_positions;
    Scheduler scheduler(engine, options);
    GenerationRequest request;
    request.prompt = o.prompt;
    request.max_tokens = o.n_tokens;
    request.ignore_eos = true;
    request.sampler = o.sampler;
    std::shared_ptr<GenerationStream> stream = scheduler.submit(std::move(request));
    std::vector<GeneratedToken> got;
    FinishReason finish = FinishReason::FinishReason_none;
    Clock::time_point start;
    while (finish == FinishReason::FinishReason_none) {
        const bool first = got.empty();
        finish = stream->next(got, std::chrono::milliseconds(100));
        if (first && !got.empty()) start = Clock::now();
    }
    *seconds = std::chrono::duration<double>(Clock::now() - start).count();
    WHALE_CHECK(finish == FinishReason::FinishReason_length, "speculation benchmark: ", stream->error());
    // The counters settle when the step that finished the stream ends.
    scheduler.shutdown(Clock::now());
    *stats = scheduler.stats();
    std::vector<int32_t> tokens;
    for (const GeneratedToken& t : got) tokens.push_back(t.token);
    return tokens;
}

}  // namespace

SpeculationBenchmark benchmark_speculation(const Engine& engine, const SpeculationBenchmarkOptions& options) {
    WHALE_CHECK(!options.prompt.empty(), "speculation benchmark: empty prompt");
    WHALE_CHECK(options.n_tokens >= 2, "speculation benchmark: generate at least 2 tokens (", options.n_tokens, " asked)");
    WHALE_CHECK(options.n_draft >= 1, "speculation benchmark: draft length ", options.n_draft, " must be at least 1");
    SpeculationBenchmark result;
    double plain_seconds = 0.0, speculative_seconds = 0.0;
    SchedulerStats plain_stats;
    const std::vector<int32_t> speculative = decode(engine, options, options.n_draft, &speculative_seconds, &result.stats);
    const std::vector<int32_t> plain = decode(engine, options, 0, &plain_seconds, &plain_stats);
    // Both clocks cover the n_tokens - 1 tokens decoded after the prompt's own.
    const double decoded = double(options.n_tokens - 1);
    result.plain_tokens_per_second = decoded / std::max(plain_seconds, 1e-9);
    result.speculative_tokens_per_second = decoded / std::max(speculative_seconds, 1e-9);
    result.speedup = result.speculative_tokens_per_second / result.plain_tokens_per_second;
    result.outputs_identical = plain == speculative;
    return result;
}

}  // namespace whale
