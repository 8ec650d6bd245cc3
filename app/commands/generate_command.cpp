// `whale generate -m MODEL --tokens 1,2,3 -n 32 [--temp 0]`: token ids in, token ids out.
// The prompt is prefilled in one forward; each new token is decoded through the latent cache.
#include <chrono>
#include <cstdio>

#include "commands.h"
#include "token_list.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"

namespace whale::app {

CommandRun register_generate_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("generate", "Generate token ids from a prompt of token ids");
    struct Args {
        std::string model, tokens;
        int n_predict = 32;
        int threads = 0;
        bool ignore_eos = false;
        SamplerSettings sampler;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("-m,--model", args->model, "Model directory")->required();
    cmd->add_option("--tokens", args->tokens, "Comma-separated prompt token ids")->required();
    cmd->add_option("-n,--n-predict", args->n_predict, "Tokens to generate")->check(CLI::Range(0, 1 << 20));
    cmd->add_option("--temp", args->sampler.temperature, "Temperature (0 = greedy)")->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--top-k", args->sampler.top_k, "Top-k (0 = off)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--top-p", args->sampler.top_p, "Top-p")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--min-p", args->sampler.min_p, "Min-p (0 = off)")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--repeat-penalty", args->sampler.repetition_penalty, "Repetition penalty (1 = off)")
        ->check(CLI::Range(0.0, 10.0));
    cmd->add_option("--presence-penalty", args->sampler.presence_penalty, "Presence penalty")->check(CLI::Range(-2.0, 2.0));
    cmd->add_option("--frequency-penalty", args->sampler.frequency_penalty, "Frequency penalty")
        ->check(CLI::Range(-2.0, 2.0));
    cmd->add_option("--seed", args->sampler.seed, "Sampling seed");
    cmd->add_flag("--ignore-eos", args->ignore_eos, "Keep generating past end-of-sequence tokens");
    cmd->add_option("-t,--threads", args->threads, "Threads (default: all cores)");
    return [args]() {
        std::vector<int32_t> prompt = parse_token_list(args->tokens);
        EngineOptions options;
        options.n_threads = args->threads;
        auto engine = Engine::load(args->model, options);
        auto session = engine->new_session();
        Sampler sampler(args->sampler);
        sampler.accept_prompt(prompt);
        const int64_t vocab = engine->model().vocab_size;
        const auto& eos = engine->model().eos_token_ids;

        auto t0 = std::chrono::steady_clock::now();
        std::vector<float> logits = session->append(prompt);
        auto t1 = std::chrono::steady_clock::now();
        std::vector<int32_t> generated;
        for (int i = 0; i < args->n_predict; ++i) {
            int32_t token = sampler.sample(logits.data(), vocab);
            generated.push_back(token);
            sampler.accept(token);
            std::printf(i ? ",%d" : "%d", token);
            std::fflush(stdout);
            bool is_eos = std::find(eos.begin(), eos.end(), token) != eos.end();
            if ((is_eos && !args->ignore_eos) || i + 1 == args->n_predict) break;
            logits = session->append({token});
        }
        std::printf("\n");
        auto t2 = std::chrono::steady_clock::now();
        double prefill = std::chrono::duration<double>(t1 - t0).count();
        double decode = std::chrono::duration<double>(t2 - t1).count();
        std::fprintf(stderr, "prompt %zu tokens in %.3fs (%.1f tok/s), generated %zu tokens in %.3fs (%.1f tok/s)\n",
                     prompt.size(), prefill, double(prompt.size()) / prefill, generated.size(), decode,
                     decode > 0 ? double(generated.size()) / decode : 0.0);
        return 0;
    };
}

}  // namespace whale::app
