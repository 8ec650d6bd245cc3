// `--speculative mtp [--draft N]`, shared by run, chat, bench and serve: speculative decoding with the
// model's own multi-token-prediction layer as the drafter (docs/models/deepseek_v3.md, 'The MTP
// layer'), inside the scheduler's step (SchedulerOptions::n_draft).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "whale/runtime/engine.h"
#include "whale/runtime/scheduler.h"

namespace whale::app {

struct SpeculativeFlags {
    std::string method;  // "" = off, "mtp"
    int n_draft = 1;     // tokens drafted per target forward (DeepSeek trained its MTP for depth 1)
};

void add_speculative_options(CLI::App* cmd, SpeculativeFlags& flags);

bool speculative_enabled(const SpeculativeFlags& flags);
// SchedulerOptions::n_draft for the flags: 0 when off. Fails with a message naming the flag when
// the model cannot draft (no MTP layer in its checkpoint).
int draft_tokens(const SpeculativeFlags& flags, const Engine& engine);
// "; speculative mtp (draft 2): acceptance 41.0% (82/200), 1.82 tokens per forward", or "" when off.
std::string speculative_summary(const SpeculativeFlags& flags, const SchedulerStats& stats);

}  // namespace whale::app
