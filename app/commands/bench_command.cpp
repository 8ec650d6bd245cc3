// `whale bench -m MODEL [-p 512] [-n 128] [-r 5] [--ctx 0,4096,32K] [-t N] [--csv F] [--json]`:
// prefill and decode throughput in llama-bench's format (docs/interfaces/llama_bench.md: pp512,
// tg128, t/s ± stddev over -r runs), plus the roofline decode is held to: the machine's read
// bandwidth, measured here with the same thread count, and the bandwidth each test achieved on
// weights.
//   tg: GB/s = tokens/s × weight bytes one decoded token reads (ModelSummary::weight_bytes_per_token);
//   pp: GB/s = batches/s × every weight byte (a 512-token batch touches every expert).
// Every test runs through the scheduler, the server's path (bench/lib/throughput.h).
// `--batch B` also times B sequences decoded together (one batched forward per step, as the server's
// continuous batching runs it): aggregate tokens/s; GB/s then counts one token's weights per step,
// a lower bound since the batch's tokens route to more experts. `--speculative mtp [--draft N]`
// adds plain vs MTP-speculative decode of one prompt: acceptance rate and speed-up.
// `--ctx C` times decode with C positions already cached; those rows are synthetic (random, of the
// scale real rows have: GenerationRequest::synthetic_positions), since prefilling 32K tokens would
// take hours on a small machine and decode cost depends only on the cache length.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "commands.h"
#include "context_length.h"
#include "kernel_options.h"
#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/memory_bandwidth.h"
#include "whale/bench/speculation_benchmark.h"
#include "speculative_options.h"
#include "whale/bench/throughput.h"

namespace whale::app {

namespace {

struct BenchArgs {
    std::string model, contexts = "0", batches = "1", csv;
    SpeculativeFlags speculative;
    int64_t n_prompt = 512, n_gen = 128;
    int runs = 5, threads = 0, bandwidth_mib = 1024;
    bool json = false;
    KernelFlags kernel;
    uint64_t seed = 42;
};

struct TestResult {
    std::string test;   // "pp512", "tg128"
    int64_t n_prompt = 0, n_gen = 0, ctx = 0;
    int batch = 1;  // sequences decoded together; tokens/s is their aggregate
    RateSummary rate;
    double gb_per_s = 0.0;
};

// "pp512" / "tg128" (the JSON `test`); the table adds the depth: "tg128 @ d4096".
std::string test_name(const TestResult& r) { return r.n_prompt > 0 ? str_cat("pp", r.n_prompt) : str_cat("tg", r.n_gen); }

std::string test_label(const TestResult& r) {
    const std::string name = r.batch > 1 ? str_cat(test_name(r), " x", r.batch) : test_name(r);
    return r.ctx > 0 ? str_cat(name, " @ d", r.ctx) : name;
}

// The file name of a .gguf; "parent/model" for a checkpoint directory, whose own name is often generic.
std::string model_label(const std::string& path) {
    const std::filesystem::path p = std::filesystem::absolute(path).lexically_normal();
    const std::filesystem::path file = p.has_filename() ? p : p.parent_path();
    if (std::filesystem::is_directory(file)) return (file.parent_path().filename() / file.filename()).string();
    return file.filename().string();
}

nlohmann::ordered_json result_json(const BenchArgs& a, const ModelSummary& m, const ReadBandwidth& bw,
                                   const TestResult& r) {
    return {
        {"model", model_label(a.model)},
        {"model_type", m.architecture},
        {"model_size", m.weight_bytes},
        {"model_n_params", m.n_params_total},
        {"threads", bw.threads},
        {"test", r.test},
        {"n_prompt", r.n_prompt},
        {"n_gen", r.n_gen},
        {"ctx", r.ctx},
        {"batch", r.batch},
        {"cache_fill", r.ctx > 0 ? "synthetic" : "none"},
        {"repetitions", a.runs},
        {"tokens_per_s", r.rate.mean},
        {"stddev", r.rate.stddev},
        {"samples_ts", r.rate.per_run},
        {"model_bytes_per_token", m.weight_bytes_per_token},
        {"gb_per_s", r.gb_per_s},
        {"read_bandwidth_gb_per_s", bw.best_gb_per_s},
        {"bandwidth_pct", 100.0 * r.gb_per_s / bw.best_gb_per_s},
    };
}

void print_table_header(const BenchArgs& a, const ModelSummary& m, const ReadBandwidth& bw) {
    std::printf("model: %s (%s), %.2f GiB of weights, %.2f GB read per decoded token\n", a.model.c_str(),
                m.description.c_str(), double(m.weight_bytes) / double(1ull << 30),
                double(m.weight_bytes_per_token) / 1e9);
    std::printf("read bandwidth: %.1f GB/s (best of %d passes over %zu MiB, %d threads; median %.1f GB/s)\n",
                bw.best_gb_per_s, bw.passes, bw.buffer_bytes >> 20, bw.threads, bw.median_gb_per_s);
    if (a.contexts != "0")
        std::printf("note: the cached positions of \"@ dN\" tests are synthetic rows, not a prefilled prompt\n");
    std::printf("\n| %-28s | %9s | %8s | %7s | %-16s | %20s | %7s | %6s |\n", "model", "size", "params", "threads",
                "test", "t/s", "GB/s", "% bw");
    std::printf("| %.28s | %.9s | %.8s | %.7s | %.16s | %.20s | %.7s | %.6s |\n", std::string(28, '-').c_str(),
                std::string(9, '-').c_str(), std::string(8, '-').c_str(), std::string(7, '-').c_str(),
                std::string(16, '-').c_str(), std::string(20, '-').c_str(), std::string(7, '-').c_str(),
                std::string(6, '-').c_str());
}

void print_table_row(const BenchArgs& a, const ModelSummary& m, const ReadBandwidth& bw, const TestResult& r) {
    char rate[48];
    std::snprintf(rate, sizeof rate, "%.2f ± %.2f", r.rate.mean, r.rate.stddev);
    char size[32], params[32];
    std::snprintf(size, sizeof size, "%.2f GiB", double(m.weight_bytes) / double(1ull << 30));
    std::snprintf(params, sizeof params, "%.2f B", double(m.n_params_total) / 1e9);
    std::printf("| %-28s | %9s | %8s | %7d | %-16s | %21s | %7.2f | %5.1f%% |\n",
                model_label(a.model).substr(0, 28).c_str(), size, params, bw.threads,
                test_label(r).c_str(), rate, r.gb_per_s, 100.0 * r.gb_per_s / bw.best_gb_per_s);
    std::fflush(stdout);
}

void write_csv(const std::string& path, const std::vector<nlohmann::ordered_json>& rows) {
    std::ofstream out(path);
    WHALE_CHECK(out, "--csv: cannot write ", path);
    bool first = true;
    for (const nlohmann::ordered_json& row : rows) {
        if (first) {
            std::string header;
            for (const auto& item : row.items()) header += (header.empty() ? "" : ",") + item.key();
            out << header << "\n";
            first = false;
        }
        std::string line;
        for (const auto& item : row.items()) {
            std::string cell = item.value().is_string() ? item.value().get<std::string>() : item.value().dump();
            if (cell.find_first_of(",\"") != std::string::npos) {
                std::string quoted = "\"";
                for (char ch : cell) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
                cell = quoted + "\"";
            }
            line += (line.empty() ? "" : ",") + cell;
        }
        out << line << "\n";
    }
}

constexpr int speculation_prompt_tokens = 16;

// Plain vs speculative decode of one random prompt (greedy, so both outputs must agree).
void report_speculation(const BenchArgs& a, const Engine& engine, std::vector<nlohmann::ordered_json>& rows) {
    SpeculationBenchmarkOptions options;
    std::mt19937_64 rng(a.seed);
    std::uniform_int_distribution<int32_t> pick(0, int32_t(engine.model().vocab_size - 1));
    for (int i = 0; i < speculation_prompt_tokens; ++i) options.prompt.push_back(pick(rng));
    options.n_tokens = int(a.n_gen);
    options.n_draft = draft_tokens(a.speculative, engine);
    const SpeculationBenchmark b = benchmark_speculation(engine, options);
    const nlohmann::ordered_json row = {
        {"model", model_label(a.model)},
        {"test", str_cat("tg", a.n_gen, " spec")},
        {"speculative", a.speculative.method},
        {"n_draft", a.speculative.n_draft},
        {"plain_tokens_per_s", b.plain_tokens_per_second},
        {"tokens_per_s", b.speculative_tokens_per_second},
        {"speedup", b.speedup},
        {"drafted", b.stats.drafted},
        {"accepted", b.stats.accepted},
        {"acceptance_rate", b.stats.acceptance_rate()},
        {"tokens_per_forward", b.stats.tokens_per_forward()},
        {"outputs_identical", b.outputs_identical},
    };
    rows.push_back(row);
    if (a.json) {
        std::printf("%s\n", row.dump().c_str());
    } else {
        std::printf("\nspeculative %s (draft %d), tg%lld greedy: plain %.2f t/s, speculative %.2f t/s, speed-up %.2fx; "
                    "acceptance %.1f%% (%lld/%lld), %.2f tokens per forward; outputs %s\n",
                    a.speculative.method.c_str(), a.speculative.n_draft, static_cast<long long>(a.n_gen),
                    b.plain_tokens_per_second, b.speculative_tokens_per_second, b.speedup,
                    100.0 * b.stats.acceptance_rate(), static_cast<long long>(b.stats.accepted),
                    static_cast<long long>(b.stats.drafted), b.stats.tokens_per_forward(),
                    b.outputs_identical ? "identical" : "DIFFER");
    }
    std::fflush(stdout);
}

int run_bench(const BenchArgs& a) {
    const std::vector<int64_t> depths = parse_context_lengths(a.contexts, "--ctx", true);
    WHALE_CHECK(a.n_prompt > 0 || a.n_gen > 0, "nothing to measure: -p and -n are both 0");
    int64_t max_depth = 0;
    for (int64_t d : depths) max_depth = std::max(max_depth, d);
    const int threads = a.threads > 0 ? a.threads : int(std::max(1u, std::thread::hardware_concurrency()));

    apply_kernel_options(a.kernel);
    const bool terminal = ::isatty(STDERR_FILENO);
    EngineOptions options;
    options.n_threads = threads;
    // Room for the prompt and the token it gives; for the depth, the token decoding starts from and
    // the n_gen decoded; for the speculative run, its prompt and the n_gen generated.
    options.max_context = std::max(a.n_prompt + 1, a.n_gen > 0 ? max_depth + a.n_gen + 2 : 0);
    if (speculative_enabled(a.speculative))
        options.max_context = std::max(options.max_context, speculation_prompt_tokens + a.n_gen + 1);
    options.show_progress = terminal;
    options.repack_weights = !a.kernel.no_repack;
    std::unique_ptr<Engine> engine = Engine::load(a.model, options);
    const ModelSummary& m = engine->model();

    ThreadPool pool(threads);
    const ReadBandwidth bw = measure_read_bandwidth(pool, size_t(a.bandwidth_mib) << 20, 5);
    if (!a.json) print_table_header(a, m, bw);

    std::vector<nlohmann::ordered_json> rows;
    auto report = [&](const TestResult& r) {
        rows.push_back(result_json(a, m, bw, r));
        if (a.json) {
            std::printf("%s\n", rows.back().dump().c_str());
            std::fflush(stdout);
        } else {
            print_table_row(a, m, bw, r);
        }
    };
    if (a.n_prompt > 0) {
        TestResult r;
        r.n_prompt = a.n_prompt;
        r.test = test_name(r);
        ProgressBar bar(r.test, a.runs + 1, terminal);
        r.rate = summarize_rates(time_prefill(*engine, a.n_prompt, a.runs, a.seed, [&bar] { bar.advance(1); }),
                                 a.n_prompt);
        bar.finish();
        r.gb_per_s = r.rate.mean / double(a.n_prompt) * double(m.weight_bytes) / 1e9;
        report(r);
    }
    const std::vector<int64_t> batches = parse_context_lengths(a.batches, "--batch", false);
    for (int64_t depth : a.n_gen > 0 ? depths : std::vector<int64_t>{}) {
        for (int64_t batch : batches) {
            TestResult r;
            r.n_gen = a.n_gen;
            r.ctx = depth;
            r.batch = int(batch);
            r.test = test_name(r);
            ProgressBar bar(test_label(r), a.runs + 1, terminal);
            auto tick = [&bar] { bar.advance(1); };
            const std::vector<double> seconds = time_decode(*engine, a.n_gen, depth, int(batch), a.runs, a.seed, tick);
            r.rate = summarize_rates(seconds, a.n_gen * batch);
            bar.finish();
            r.gb_per_s = r.rate.mean / double(batch) * double(m.weight_bytes_per_token) / 1e9;
            report(r);
        }
    }
    if (speculative_enabled(a.speculative) && a.n_gen > 0) report_speculation(a, *engine, rows);
    if (!a.csv.empty()) write_csv(a.csv, rows);
    return 0;
}

}  // namespace

CommandRun register_bench_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("bench", "Measure prefill and decode throughput (llama-bench style) against "
                                            "the machine's read bandwidth");
    auto a = std::make_shared<BenchArgs>();
    cmd->add_option("-m,--model", a->model, "Model directory or .gguf file")->required();
    cmd->add_option("-p,--n-prompt", a->n_prompt, "Prompt tokens of the prefill test (0 = skip it)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-n,--n-gen", a->n_gen, "Decoded tokens of each decode test (0 = skip them)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-r,--repetitions", a->runs, "Timed runs per test (after one warm-up run)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--ctx", a->contexts,
                    "Comma-separated cache depths for the decode tests, e.g. 0,4096,32K (rows are synthetic)");
    cmd->add_option("--batch", a->batches,
                    "Comma-separated numbers of sequences decoded together, e.g. 1,2,4,8 (aggregate tokens/s)");
    add_speculative_options(cmd, a->speculative);
    cmd->add_option("-t,--threads", a->threads, "Threads (default: one per hardware thread)")
        ->check(CLI::Range(1, 1024));
    add_kernel_options(cmd, a->kernel);
    cmd->add_option("--csv", a->csv, "Also write the results to this CSV file");
    cmd->add_flag("--json", a->json, "One JSON object per test on stdout instead of the table");
    cmd->add_option("--bandwidth-mib", a->bandwidth_mib, "Buffer of the read-bandwidth measurement, MiB")
        ->check(CLI::Range(16, 65536));
    cmd->add_option("--seed", a->seed, "Seed of the random token ids and synthetic cache rows");
    return [a]() { return run_bench(*a); };
}

}  // namespace whale::app
