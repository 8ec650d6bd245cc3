#include "sampling_options.h"

#include "whale/core/error.h"

namespace whale::app {

void add_sampling_options(CLI::App* cmd, SamplingFlags& f) {
    cmd->add_option("--temp", f.temperature, "Temperature (0 = greedy; default from generation_config.json)")
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--top-k", f.top_k, "Top-k (0 = off)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--top-p", f.top_p, "Top-p")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--min-p", f.min_p, "Min-p (0 = off)")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--repeat-penalty", f.repetition_penalty, "Repetition penalty (1 = off)")->check(CLI::Range(0.0, 10.0));
    cmd->add_option("--presence-penalty", f.presence_penalty, "Presence penalty")->check(CLI::Range(-2.0, 2.0));
    cmd->add_option("--frequency-penalty", f.frequency_penalty, "Frequency penalty")->check(CLI::Range(-2.0, 2.0));
    cmd->add_option("--seed", f.seed, "Sampling seed (same seed, same output)");
    cmd->add_option("--logit-bias", f.logit_bias, "Add BIAS to token ID's logit: ID=BIAS (repeatable)");
}

SamplerSettings resolve_sampling(const SamplingFlags& f, const SamplerSettings& defaults) {
    SamplerSettings s = defaults;
    if (f.temperature) s.temperature = *f.temperature;
    if (f.top_k) s.top_k = *f.top_k;
    if (f.top_p) s.top_p = *f.top_p;
    if (f.min_p) s.min_p = *f.min_p;
    if (f.repetition_penalty) s.repetition_penalty = *f.repetition_penalty;
    if (f.presence_penalty) s.presence_penalty = *f.presence_penalty;
    if (f.frequency_penalty) s.frequency_penalty = *f.frequency_penalty;
    if (f.seed) s.seed = *f.seed;
    for (const std::string& item : f.logit_bias) {
        const size_t eq = item.find('=');
        try {
            WHALE_CHECK(eq != std::string::npos, "");
            size_t used_id = 0, used_bias = 0;
            const int id = std::stoi(item.substr(0, eq), &used_id);
            const float bias = std::stof(item.substr(eq + 1), &used_bias);
            WHALE_CHECK(used_id == eq && used_bias == item.size() - eq - 1 && id >= 0, "");
            s.logit_bias[id] = bias;
        } catch (const std::exception&) {
            fail("--logit-bias: '", item, "' is not ID=BIAS (e.g. 15=-100)");
        }
    }
    return s;
}

}  // namespace whale::app
