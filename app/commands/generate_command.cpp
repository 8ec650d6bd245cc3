// `whale generate -m MODEL --tokens 1,2,3 -n 32 [--temp 0]`: token ids in, token ids out.
// The prompt is prefilled in one forward; each new token is decoded through the latent cache, by
// the scheduler every command generates with (cli_generation.h).
#include <chrono>
#include <cstdio>

#include "cli_generation.h"
#include "commands.h"
#include "token_list.h"

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
        auto scheduler = cli_scheduler(*engine);
        GenerationRequest request;
        request.prompt = prompt;
        request.sampler = args->sampler;
        request.max_tokens = args->n_predict;
        request.ignore_eos = args->ignore_eos;

        const auto start = std::chrono::steady_clock::now();
        double prefill = 0.0;
        int64_t generated = 0;
        auto print = [&](int32_t token) {
            if (generated++ == 0) prefill = seconds_since(start);
            std::printf(generated > 1 ? ",%d" : "%d", token);
            std::fflush(stdout);
        };
        if (args->n_predict > 0) {
            std::shared_ptr<GenerationStream> stream = scheduler->submit(request);
            const FinishReason finish = read_stream(*stream, [&](const GeneratedToken& t) { print(t.token); });
            // The end-of-sequence token is printed as generated, though the stream does not carry it.
            if (finish == FinishReason::FinishReason_eos) print(stream->eos_token());
        }
        std::printf("\n");
        const double decode = seconds_since(start) - prefill;
        std::fprintf(stderr, "prompt %zu tokens in %.3fs (%.1f tok/s), generated %lld tokens in %.3fs (%.1f tok/s)\n",
                     prompt.size(), prefill, double(prompt.size()) / prefill, static_cast<long long>(generated), decode,
                     decode > 0 ? double(generated) / decode : 0.0);
        return 0;
    };
}

}  // namespace whale::app
