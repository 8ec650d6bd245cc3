// `whale kv`: KV-cache bytes per token and per sequence for every caching scheme of an
// architecture (a model directory or a preset), attention work per generated token, and the
// worked questions about DeepSeek's cache and expert arithmetic (docs/models/kv_footprint.md).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "context_length.h"
#include "whale/core/error.h"
#include "whale/model/kv_footprint.h"
#include "whale/model/registry.h"

namespace whale::app {

namespace {

std::string human(double bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 4) {
        bytes /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u ? "%.2f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

void print_worked_questions() {
    const double d = 7168, width = 2048, experts = 256, active = 8, moe_layers = 58;
    const double per_expert = 3 * d * width;
    std::printf("Worked questions (docs/models/kv_footprint.md)\n");
    std::printf("1. DeepSeek-V3 routes each token to %.0f of %.0f experts: %.3f%% of routed-expert parameters active.\n",
                active, experts, 100.0 * active / experts);
    std::printf("   Routed experts: %.0f MoE layers x %.0f experts x 3 x %.0f x %.0f = %.1f B parameters "
                "(%.1f B active per token).\n",
                moe_layers, experts, d, width, moe_layers * experts * per_expert / 1e9,
                moe_layers * active * per_expert / 1e9);
    const double tokens = 100000, layers = 60, heads = 128, head = 128, latent = 512, rope = 64;
    const double mha = tokens * layers * heads * 2 * head * 2, mla = tokens * layers * (latent + rope) * 2;
    std::printf("2. 100K tokens, 60 layers, 128 heads, d_head 128, d_c 512, fp16: MHA K+V %s; MLA latent %s "
                "(%s with the 64-dim rope key), %.0fx smaller (%.0fx counting the rope key).\n",
                human(mha).c_str(), human(tokens * layers * latent * 2).c_str(), human(mla).c_str(),
                mha / (tokens * layers * latent * 2), mha / mla);
    KvArchitecture flash = kv_preset("v4-flash");
    const int64_t million = 1 << 20;
    double v4 = 0;
    for (const KvScheme& s : kv_schemes(flash, KvDtype::KvDtype_bf16))
        if (s.name == "v4") v4 = s.bytes_per_sequence(million);
    KvAttentionWork work = kv_attention_work(flash, million);
    std::printf("3. V4-Flash at 1M tokens (CSA 4x with top-%lld, HCA 128x, 128-token window), bf16: cache %s per "
                "sequence; attention scores %.0f keys per generated token over all layers instead of %.0f dense "
                "(%.0fx fewer), plus %.0f cheap indexer scores.\n",
                (long long)flash.index_topk, human(v4).c_str(), work.own_keys, work.dense_keys,
                work.dense_keys / work.own_keys, work.indexer_keys);
}

}  // namespace

CommandRun register_kv_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("kv", "KV-cache bytes and attention work per scheme (MHA, MLA, V3.2, V4)");
    struct Args {
        std::string model, preset, dtype = "bf16", contexts = "4K,32K,128K,1M";
        bool json = false, worked = false;
    };
    auto a = std::make_shared<Args>();
    auto* model = cmd->add_option("-m,--model", a->model, "Model directory (its config.json)");
    cmd->add_option("--preset", a->preset, "v2-lite, v2, v3, v3.2, v4-flash, v4-pro or chart")->excludes(model);
    cmd->add_option("--ctx", a->contexts, "Context lengths, comma-separated (4096, 32K, 1M)");
    cmd->add_option("--dtype", a->dtype, "Cache element type: f32 (Whale's reference cache), bf16, fp16, fp8");
    cmd->add_flag("--json", a->json, "One JSON object instead of the table");
    cmd->add_flag("--worked", a->worked, "Print the worked questions (V3 experts, MHA vs MLA at 100K, V4 at 1M)");
    return [a]() {
        if (a->worked && a->model.empty() && a->preset.empty()) {
            print_worked_questions();
            return 0;
        }
        KvArchitecture arch = !a->model.empty() ? kv_architecture_from_config(ConfigFields::load(a->model))
                                                : kv_preset(a->preset.empty() ? "v3" : a->preset);
        const KvDtype dtype = kv_dtype_from_name(a->dtype);
        const std::vector<int64_t> contexts = parse_context_lengths(a->contexts);
        const std::vector<KvScheme> schemes = kv_schemes(arch, dtype);
        if (a->json) {
            nlohmann::ordered_json out = {{"architecture", arch.name}, {"dtype", kv_dtype_name(dtype)},
                                          {"layers", arch.n_layers}, {"schemes", nlohmann::ordered_json::array()}};
            for (const KvScheme& s : schemes) {
                nlohmann::ordered_json seq = nlohmann::ordered_json::object();
                for (int64_t ctx : contexts) seq[std::to_string(ctx)] = s.bytes_per_sequence(ctx);
                out["schemes"].push_back({{"scheme", s.name}, {"description", s.description},
                                          {"bytes_per_token", s.bytes_per_token}, {"fixed_bytes", s.fixed_bytes},
                                          {"bytes_per_sequence", seq}, {"engine", s.engine}});
            }
            nlohmann::ordered_json work = nlohmann::ordered_json::object();
            for (int64_t ctx : contexts) {
                KvAttentionWork w = kv_attention_work(arch, ctx);
                work[std::to_string(ctx)] = {{"dense_keys", w.dense_keys}, {"keys", w.own_keys},
                                             {"indexer_keys", w.indexer_keys}};
            }
            out["attention_keys_per_token"] = work;
            std::printf("%s\n", out.dump(2).c_str());
            return 0;
        }
        std::printf("%s, %d layers, cache %s\n", arch.name.c_str(), arch.n_layers, kv_dtype_name(dtype));
        std::printf("%-12s %14s", "scheme", "per token");
        for (int64_t ctx : contexts) std::printf(" %12s", (std::to_string(ctx) + " tok").c_str());
        std::printf("\n");
        for (const KvScheme& s : schemes) {
            std::printf("%-12s %14s", (s.name + (s.engine ? "*" : "")).c_str(), human(s.bytes_per_token).c_str());
            for (int64_t ctx : contexts) std::printf(" %12s", human(s.bytes_per_sequence(ctx)).c_str());
            std::printf("\n");
        }
        std::printf("(* the layout Whale's engine uses for this architecture)\n\nkeys scored per generated token:\n");
        for (int64_t ctx : contexts) {
            KvAttentionWork w = kv_attention_work(arch, ctx);
            std::printf("  at %lld: %.0f (dense attention: %.0f)%s\n", (long long)ctx, w.own_keys, w.dense_keys,
                        w.indexer_keys > 0 ? (", plus " + std::to_string(int64_t(w.indexer_keys)) + " indexer scores").c_str() : "");
        }
        if (a->worked) print_worked_questions();
        return 0;
    };
}

}  // namespace whale::app
