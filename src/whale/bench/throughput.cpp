#include "whale/bench/throughput.h"

#include <chrono>
#include <cmath>
#include <random>

#include "whale/core/error.h"
#include "whale/runtime/scheduler.h"

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

// Waits until the stream has `n` tokens (or ends); a stream that ended in error throws its message.
void wait_for(GenerationStream& stream, std::vector<GeneratedToken>& got, size_t n) {
    FinishReason finish = FinishReason::FinishReason_none;
    while (got.size() < n && finish == FinishReason::FinishReason_none)
        finish = stream.next(got, std::chrono::milliseconds(100));
    if (finish == FinishReason::FinishReason_error) fail(stream.error());
}

void wait_for_end(GenerationStream& stream, std::vector<GeneratedToken>& got) {
    FinishReason finish = FinishReason::FinishReason_none;
    while (finish == FinishReason::FinishReason_none) finish = stream.next(got, std::chrono::milliseconds(100));
    if (finish == FinishReason::FinishReason_error) fail(stream.error());
}

int64_t blocks_for(int64_t positions, int64_t block_positions) { return (positions + block_positions - 1) / block_positions; }

}  // namespace

std::vector<double> time_prefill(const Engine& engine, int64_t n_prompt, int runs, uint64_t seed,
                                 const std::function<void()>& after_run) {
    WHALE_CHECK(n_prompt > 0 && runs > 0, "prefill benchmark needs tokens and runs");
    SchedulerOptions options;
    options.max_running = 1;
    options.max_batch_tokens = n_prompt;  // the whole prompt in one forward
    options.n_blocks = blocks_for(n_prompt + 1, options.block_positions);
    Scheduler scheduler(engine, options);
    std::mt19937_64 rng(seed);
    std::vector<double> seconds;
    for (int r = -1; r < runs; ++r) {  // r = -1: warm-up
        GenerationRequest request;
        request.prompt = random_tokens(n_prompt, engine.model().vocab_size, rng);
        request.max_tokens = 1;
        request.ignore_eos = true;
        std::vector<GeneratedToken> got;
        const auto start = std::chrono::steady_clock::now();
        wait_for_end(*scheduler.submit(std::move(request)), got);
        if (r >= 0) seconds.push_back(seconds_since(start));
        if (after_run) after_run();
    }
    return seconds;
}

std::vector<double> time_decode(const Engine& engine, int64_t n_gen, int64_t depth, int batch, int runs, uint64_t seed,
                                const std::function<void()>& after_run) {
    WHALE_CHECK(n_gen > 0 && runs > 0 && depth >= 0 && batch > 0,
                "decode benchmark needs tokens, runs, a depth >= 0 and a batch >= 1");
    SchedulerOptions options;
    options.max_running = batch;
    // Each sequence: depth + its first token + n_gen decoded, and a block of slack.
    options.n_blocks = batch * (blocks_for(depth + n_gen + 2, options.block_positions) + 1);
    Scheduler scheduler(engine, options);
    std::mt19937_64 rng(seed);
    // Each sequence's cached positions hold one token id of its own, so no two share prefix blocks.
    const std::vector<int32_t> fillers = random_tokens(batch, engine.model().vocab_size, rng);
    const std::vector<int32_t> firsts = random_tokens(batch, engine.model().vocab_size, rng);
    std::vector<double> seconds;
    for (int r = -1; r < runs; ++r) {  // r = -1: warm-up, one step
        const int64_t steps = r < 0 ? 1 : n_gen;
        std::vector<GenerationRequest> requests(static_cast<size_t>(batch));
        for (int b = 0; b < batch; ++b) {
            GenerationRequest& request = requests[size_t(b)];
            request.prompt.assign(size_t(depth), fillers[size_t(b)]);
            request.prompt.push_back(firsts[size_t(b)]);
            request.max_tokens = steps + 1;  // the first token comes from the prompt's own forward
            request.ignore_eos = true;
            request.synthetic_positions = depth;
            request.synthetic_seed = seed + uint64_t(b);
        }
        std::vector<std::shared_ptr<GenerationStream>> streams = scheduler.submit_all(std::move(requests));
        std::vector<std::vector<GeneratedToken>> got(streams.size());
        // Every sequence was admitted in the same step, so their first tokens came from one forward:
        // the clock starts when the first stream has its first token.
        wait_for(*streams.front(), got.front(), 1);
        const auto start = std::chrono::steady_clock::now();
        for (size_t b = 0; b < streams.size(); ++b) wait_for_end(*streams[b], got[b]);
        if (r >= 0) seconds.push_back(seconds_since(start));
        for (const auto& g : got)
            WHALE_CHECK(int64_t(g.size()) == steps + 1, "decode benchmark: a sequence stopped after ", g.size(), " tokens");
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
