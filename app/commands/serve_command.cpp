// `whale serve -m MODEL`: the OpenAI- and Anthropic-compatible HTTP server. Loads the model, builds
// the continuous-batching scheduler over a paged latent cache (sized from --ctx and --parallel),
// and serves until SIGTERM/SIGINT, then stops taking requests, lets in-flight ones finish within
// --drain-seconds (cancelling the rest), writes the prefix cache to --kv-disk-dir and exits 0.
// `--speculative mtp [--draft N]` drafts with the model's MTP layer inside every batched step.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "commands.h"
#include "kernel_options.h"
#include "speculative_options.h"
#include "whale/chat/chat_format.h"
#include "whale/core/error.h"
#include "whale/core/thread_pool.h"
#include "whale/model/multi_token_predictor.h"
#include "whale/model/registry.h"
#include "whale/runtime/model_text_assets.h"
#include "whale/runtime/scheduler.h"
#include "whale/server/http_server.h"
#include "whale/server/server_context.h"
#include "whale/server/text_codec.h"

namespace whale::app {

namespace {

struct ServeArgs {
    std::string model, api_key_file, kv_disk_dir, chat_format;
    server::ServeOptions options;
    int64_t ctx = 0;
    int parallel = 4;
    int64_t cache_tokens = 0;
    int threads = 0;
    KernelFlags kernel;
    double drain_seconds = 10.0;
    SpeculativeFlags speculative;
};

std::string read_key_file(const std::string& path) {
    std::ifstream in(path);
    WHALE_CHECK(in, "cannot read --api-key-file ", path);
    std::string key;
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    WHALE_CHECK(!key.empty(), "--api-key-file ", path, " is empty");
    return key;
}

int run_serve(ServeArgs& args) {
    if (!args.api_key_file.empty()) args.options.api_key = read_key_file(args.api_key_file);
    // Signals are taken by one thread with sigwait, so no handler runs inside library code.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not a dead server

    auto start = std::chrono::steady_clock::now();
    LoadOptions load;
    load.interleave_q8_0 = !args.kernel.no_repack;
    apply_kernel_options(args.kernel);
    std::unique_ptr<CausalLM> model = load_causal_lm(args.model, load);
    ThreadPool pool(args.threads);
    const ModelSummary& summary = model->summary();
    const int64_t model_max = summary.max_position > 0 ? summary.max_position : 8192;
    const int64_t ctx = args.ctx > 0 ? args.ctx : std::min<int64_t>(model_max, 8192);
    WHALE_CHECK(ctx <= model_max, "--ctx ", ctx, " exceeds the model's max_position_embeddings ", model_max);

    server::ServerContext context;
    context.options = args.options;
    context.model_name = args.options.served_model_name.empty() ? args.model : args.options.served_model_name;
    context.context_length = ctx;
    context.vocab_size = summary.vocab_size;
    context.chat_format = args.chat_format.empty() ? detect_model_chat_format(args.model) : chat_format_from_name(args.chat_format);
    context.codec = server::load_text_codec(args.model);
    context.eos_token = summary.eos_token_ids.empty() ? -1 : summary.eos_token_ids.front();
    auto vocab_text = std::make_shared<std::vector<std::string>>();
    for (int64_t id = 0; id < summary.vocab_size; ++id) vocab_text->push_back(context.codec.token_text(int32_t(id)));
    context.vocab_text = std::move(vocab_text);
    context.created_unix = int64_t(std::time(nullptr));
    if (context.options.http_threads <= 0) context.options.http_threads = std::max(32, 8 * args.parallel);

    BatchSpeculation speculation;
    if (speculative_enabled(args.speculative)) speculation = model_batch_speculation(*model, pool, args.speculative.n_draft);
    SchedulerOptions scheduler_options;
    scheduler_options.layout = model->cache_layout();
    // Drafting sequences keep the MTP layer's rows in their cache blocks too.
    if (speculation.n_draft > 0) scheduler_options.layout = scheduler_options.layout.extended_to(model->mtp()->cache_layer() + 1);
    scheduler_options.vocab_size = summary.vocab_size;
    scheduler_options.eos_token_ids = summary.eos_token_ids;
    scheduler_options.max_context = ctx;
    scheduler_options.max_running = args.parallel;
    const int64_t cache_tokens = args.cache_tokens > 0 ? args.cache_tokens : ctx * args.parallel;
    scheduler_options.n_blocks = (cache_tokens + scheduler_options.block_positions - 1) / scheduler_options.block_positions;
    scheduler_options.kv_disk_dir = args.kv_disk_dir;
    scheduler_options.model_fingerprint = str_cat(summary.description, "/", summary.n_params_total, "/", summary.weight_bytes);
    Scheduler scheduler(scheduler_options, model_batch_forward(*model, pool), speculation);
    context.scheduler = &scheduler;

    server::HttpServer http(context);
    const int port = http.bind();
    std::fprintf(stderr, "whale serve: %s (%s chat format), context %lld, %d parallel, %lld cache blocks of %lld; "
                         "%s; loaded in %.1fs; listening on http://%s:%d\n",
                 summary.description.c_str(), chat_format_name(context.chat_format), static_cast<long long>(ctx),
                 args.parallel, static_cast<long long>(scheduler_options.n_blocks),
                 static_cast<long long>(scheduler_options.block_positions),
                 speculation.n_draft > 0 ? str_cat("speculative mtp, draft ", speculation.n_draft).c_str() : "no speculation",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                 args.options.host.c_str(), port);
    std::thread waiter([&] {
        int signal_number = 0;
        sigwait(&signals, &signal_number);
        std::fprintf(stderr, "whale serve: signal %d, draining (up to %.0fs)\n", signal_number, args.drain_seconds);
        context.draining.store(true);
        scheduler.shutdown(std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(int64_t(args.drain_seconds * 1000)));
        http.stop();
    });
    http.run();
    waiter.join();
    std::fprintf(stderr, "whale serve: stopped\n");
    return 0;
}

}  // namespace

CommandRun register_serve_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("serve", "Serve the OpenAI- and Anthropic-compatible HTTP API");
    auto args = std::make_shared<ServeArgs>();
    cmd->add_option("-m,--model", args->model, "Model directory (with tokenizer.json)")->required();
    cmd->add_option("--host", args->options.host, "Address to listen on (default loopback)");
    cmd->add_option("--port", args->options.port, "Port (0 = any free port)")->check(CLI::Range(0, 65535));
    auto* key = cmd->add_option("--api-key", args->options.api_key, "Require this key (Bearer or x-api-key)");
    cmd->add_option("--api-key-file", args->api_key_file, "Read the key from this file")->excludes(key);
    cmd->add_option("--ctx", args->ctx, "Context length per sequence (default min(model, 8192))")->check(CLI::PositiveNumber);
    cmd->add_option("--parallel", args->parallel, "Sequences decoded together; more requests queue")->check(CLI::Range(1, 256));
    cmd->add_option("--cache-tokens", args->cache_tokens, "KV cache size in tokens over all sequences (default ctx × parallel)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--kv-disk-dir", args->kv_disk_dir, "Keep evicted and finished prefixes here across restarts");
    cmd->add_option("--served-model-name", args->options.served_model_name, "Model name the API reports");
    cmd->add_option("--chat-format", args->chat_format, std::string("Override the detected chat format: ") + chat_format_names());
    cmd->add_option("--max-body-bytes", args->options.max_body_bytes, "Largest request body (413 beyond)")->check(CLI::PositiveNumber);
    cmd->add_option("--drain-seconds", args->drain_seconds, "On SIGTERM, how long in-flight requests may finish")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-t,--threads", args->threads, "Compute threads (default: all cores)");
    add_kernel_options(cmd, args->kernel);
    add_speculative_options(cmd, args->speculative);
    return [args]() { return run_serve(*args); };
}

}  // namespace whale::app
