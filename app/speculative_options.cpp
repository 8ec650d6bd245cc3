#include "speculative_options.h"

#include <cstdio>

#include "whale/core/error.h"

namespace whale::app {

void add_speculative_options(CLI::App* cmd, SpeculativeFlags& f) {
    auto* method = cmd->add_option("--speculative", f.method,
                                   "Speculative decoding; 'mtp' drafts with the model's multi-token-prediction layer")
                       ->check(CLI::IsMember({"mtp"}));
    cmd->add_option("--draft", f.n_draft, "Tokens drafted per verification forward (with --speculative; default 1)")
        ->check(CLI::Range(1, 16))
        ->needs(method);
}

bool speculative_enabled(const SpeculativeFlags& f) { return !f.method.empty(); }

int draft_tokens(const SpeculativeFlags& f, const Engine& engine) {
    if (!speculative_enabled(f)) return 0;
    WHALE_CHECK(engine.has_mtp(), "--speculative mtp: this model has no multi-token-prediction layer (its checkpoint "
                "has no model.layers.", engine.model().n_layers, ".* MTP tensors), so it cannot draft tokens");
    return f.n_draft;
}

std::string speculative_summary(const SpeculativeFlags& f, const SchedulerStats& stats) {
    if (!speculative_enabled(f)) return "";
    char text[160];
    std::snprintf(text, sizeof(text), "; speculative %s (draft %d): acceptance %.1f%% (%lld/%lld), %.2f tokens per forward",
                  f.method.c_str(), f.n_draft, 100.0 * stats.acceptance_rate(), (long long)stats.accepted,
                  (long long)stats.drafted, stats.tokens_per_forward());
    return text;
}

}  // namespace whale::app
