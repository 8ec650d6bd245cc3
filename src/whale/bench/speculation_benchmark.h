// What `whale bench --speculative mtp` measures on a loaded engine: the same prompt decoded by the
// scheduler plainly and with MTP drafts (SchedulerOptions::n_draft), decode time only (the
// prompt's forward excluded), same sampler settings.
#pragma once

#include <cstdint>
#include <vector>

#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/scheduler.h"

namespace whale {

struct SpeculationBenchmarkOptions {
    std::vector<int32_t> prompt;  // decoded from after it; must not be empty
    int n_tokens = 128;           // generated per run (EOS is not a stop here: the count is fixed)
    int n_draft = 1;
    SamplerSettings sampler;      // greedy by default, which also makes the two outputs comparable
};

struct SpeculationBenchmark {
    double plain_tokens_per_second = 0.0;
    double speculative_tokens_per_second = 0.0;
    double speedup = 0.0;            // speculative / plain tokens per second
    SchedulerStats stats;            // of the speculative run: drafted, accepted, verifications
    bool outputs_identical = false;  // meaningful when greedy: must then be true
};

// Needs engine.has_mtp(); throws saying so otherwise.
SpeculationBenchmark benchmark_speculation(const Engine& engine, const SpeculationBenchmarkOptions& options);

}  // namespace whale
