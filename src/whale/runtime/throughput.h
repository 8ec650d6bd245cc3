// Timed prefill and decode runs for `whale bench`, in llama-bench's terms
// (docs/interfaces/llama_bench.md):
//   pp<N>: one batched forward over N prompt tokens on an empty cache;
//   tg<N>: N single-token decode steps after `depth` cached positions (tg128 @ d4096).
// Token ids are random (no tokenizer, no sampling: neither is timed). Each measurement starts
// with one untimed warm-up run, as llama-bench does, so page faults of a mapped model and cold
// caches are not counted.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "whale/runtime/engine.h"

namespace whale {

// Seconds per run, `runs` runs.
// `after_run` is called after each run, warm-up included (runs + 1 calls), e.g. for a progress bar.
std::vector<double> time_prefill(const Engine& engine, int64_t n_prompt, int runs, uint64_t seed,
                                 const std::function<void()>& after_run = {});

// Seconds per run of n_gen decode steps, each run starting from `depth` cached positions. The
// depth is filled with synthetic rows (Session::append_synthetic), not by running a prompt, so
// 32K+ contexts can be timed on a small machine.
std::vector<double> time_decode(const Engine& engine, int64_t n_gen, int64_t depth, int runs, uint64_t seed,
                                const std::function<void()>& after_run = {});

// Seconds per run of n_gen steps of `batch` sequences decoded together (Engine::step: one batched
// forward per step, weights read once for all of them; the server's continuous batching runs the
// same forward). Each sequence starts from `depth` synthetic cached positions.
std::vector<double> time_batched_decode(const Engine& engine, int64_t n_gen, int64_t depth, int batch, int runs,
                                        uint64_t seed, const std::function<void()>& after_run = {});

struct RateSummary {
    double mean = 0.0;    // tokens per second, mean over runs
    double stddev = 0.0;  // sample standard deviation over runs (0 for one run)
    std::vector<double> per_run;
};

// Tokens/s of each run (tokens_per_run / seconds) and their mean and spread.
RateSummary summarize_rates(const std::vector<double>& seconds, int64_t tokens_per_run);

}  // namespace whale
