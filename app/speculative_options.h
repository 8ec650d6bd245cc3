// `--speculative mtp [--draft N]`, shared by run and serve: speculative decoding with the model's own
// multi-token-prediction layer as the drafter (docs/models/deepseek_v3.md, 'The MTP layer').
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "whale/runtime/engine.h"
#include "whale/runtime/speculative/drafter.h"
#include "whale/runtime/speculative/speculative_decoder.h"

namespace whale::app {

struct SpeculativeFlags {
    std::string method;  // "" = off, "mtp"
    int n_draft = 1;     // tokens drafted per target forward (DeepSeek trained its MTP for depth 1)
};

void add_speculative_options(CLI::App* cmd, SpeculativeFlags& flags);

bool speculative_enabled(const SpeculativeFlags& flags);
// The drafter the flags ask for, or null when speculation is off. Fails with a message naming the
// flag when the model cannot draft (no MTP layer in its checkpoint).
std::unique_ptr<Drafter> make_drafter(const SpeculativeFlags& flags, const Engine& engine);
// "; speculative mtp (draft 2): acceptance 41.0% (82/200), 1.82 tokens per forward", or "" when off.
std::string speculative_summary(const SpeculativeFlags& flags, const SpeculativeStats& stats);

}  // namespace whale::app
