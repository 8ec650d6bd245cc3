// `whale inspect MODEL`: what a checkpoint is and what running it costs.
#include <cstdio>

#include "commands.h"
#include "whale/core/error.h"
#include "whale/runtime/engine.h"

namespace whale::app {

namespace {

std::string human_count(int64_t n) {
    if (n >= 1'000'000'000) return str_cat(double(n) / 1e9, " B");
    if (n >= 1'000'000) return str_cat(double(n) / 1e6, " M");
    if (n >= 1'000) return str_cat(double(n) / 1e3, " K");
    return std::to_string(n);
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
    return buf;
}

}  // namespace

CommandRun register_inspect_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("inspect", "Show architecture, parameter counts, KV-cache and weight memory");
    auto model_path = std::make_shared<std::string>();
    cmd->add_option("model", *model_path, "Model directory (config.json + safetensors)")->required();
    return [model_path]() {
        EngineOptions options;
        options.n_threads = 1;
        auto engine = Engine::load(*model_path, options);
        auto session = engine->new_session();
        const ModelSummary& m = engine->model();
        const int64_t latent_bytes = session->cache_bytes_per_token();
        const int64_t value_bytes = m.kv_values_per_token ? latent_bytes / m.kv_values_per_token : 4;
        std::printf("model:        %s\n", model_path->c_str());
        std::printf("architecture: %s\n", m.description.c_str());
        for (const std::string& line : m.details) std::printf("  %s\n", line.c_str());
        std::printf("vocab:        %lld, max positions %lld\n", (long long)m.vocab_size, (long long)m.max_position);
        std::printf("parameters:   %s total, %s active per token (%lld / %lld)\n", human_count(m.n_params_total).c_str(),
                    human_count(m.n_params_active).c_str(), (long long)m.n_params_total, (long long)m.n_params_active);
        if (m.n_params_mtp) std::printf("mtp layer:    %s parameters\n", human_count(m.n_params_mtp).c_str());
        std::printf("weights:      %s\n", human_bytes(double(m.weight_bytes)).c_str());
        std::printf("kv per token: %s latent (%lld values) vs %s MHA-equivalent (%lld values), %.1fx smaller\n",
                    human_bytes(double(latent_bytes)).c_str(), (long long)m.kv_values_per_token,
                    human_bytes(double(m.mha_values_per_token * value_bytes)).c_str(),
                    (long long)m.mha_values_per_token, double(m.mha_values_per_token) / double(m.kv_values_per_token));
        std::printf("kv at %lld:  %s (f32 cache)\n", (long long)engine->max_context(),
                    human_bytes(double(latent_bytes) * double(engine->max_context())).c_str());
        return 0;
    };
}

}  // namespace whale::app
