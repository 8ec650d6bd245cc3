// Timed prefill and decode runs for `whale bench`, in llama-bench's terms (docs/interfaces/llama_bench.md),
// through the scheduler every command generates with (the server's path):
//   pp<N>: one prompt of N tokens on an empty cache, in one forward;
//   tg<N>: N decode steps after `depth` cached positions (tg128 @ d4096), of `batch` sequences
//          decoded together (one batched forward per step, weights read once for all of them).
// Token ids are random (no tokenizer: it is not timed); sampling is greedy. Each measurement starts
// with one untimed warm-up run, as llama-bench does, so page faults of a mapped model and cold
// caches are not counted.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "whale/runtime/engine.h"

namespace whale {

// Seconds per run, `runs` runs. Every run prefills a prompt of its own, so the prefix cache never
// serves one. `after_run` is called after each run, warm-up included (runs + 1 calls).
std::vector<double> time_prefill(const Engine& engine, int64_t n_prompt, int runs, uint64_t seed,
                                 const std::function<void()>& after_run = {});

// Seconds per run of n_gen steps of `batch` sequences, each starting from `depth` cached positions.
// The depth's rows are synthetic (GenerationRequest::synthetic_positions), not a prefilled prompt,
// so 32K+ contexts can be timed on a small machine; later runs find them in the prefix cache.
std::vector<double> time_decode(const Engine& engine, int64_t n_gen, int64_t depth, int batch, int runs, uint64_t seed,
                                const std::function<void()>& after_run = {});

struct RateSummary {
    double mean = 0.0;    // tokens per second, mean over runs
    double stddev = 0.0;  // sample standard deviation over runs (0 for one run)
    std::vector<double> per_run;
};

// Tokens/s of each run (tokens_per_run / seconds) and their mean and spread.
RateSummary summarize_rates(const std::vector<double>& seconds, int64_t tokens_per_run);

}  // namespace whale
