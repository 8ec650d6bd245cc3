// `whale bench -m MODEL [-p 512] [-n 128] [-r 5] [--ctx 0,4096,32K] [-t N] [--csv F] [--json]`:
// prefill and decode throughput in llama-bench's format (interfaces spec §6: pp512, tg128,
// t/s ± stddev over -r runs), plus the roofline decode is held to: the machine's read bandwidth,
// measured here with the same thread count, and the bandwidth each test achieved on weights.
//   tg: GB/s = tokens/s × weight bytes one decoded token reads (ModelSummary::weight_bytes_per_token);
//   pp: GB/s = batches/s × every weight byte (a 512-token batch touches every expert).
// `--ctx C` times decode with C positions already cached; those rows are synthetic (random, of the
// scale real rows have), since prefilling 32K tokens would take hours on a small machine and
// decode cost depends only on the cache length.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "context_length.h"
#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/core/thread_pool.h"
#include "whale/kernels/memory_bandwidth.h"
#include "whale/runtime/throughput.h"

namespace whale::app {

namespace {

struct BenchArgs {
    std::string model, contexts = "0", csv;
    int64_t n_prompt = 512, n_gen = 128;
    int runs = 5, threads = 0, bandwidth_mib = 1024;
    bool json = false;
    uint64_t seed = 42;
};

struct TestResult {
    std::string test;   // "pp512", "tg128"
    int64_t n_prompt = 0, n_gen = 0, ctx = 0;
    RateSummary rate;
    double gb_per_s = 0.0;
};

// "pp512" / "tg128" (the JSON `test`); the table adds the depth: "tg128 @ d4096".
std::string test_name(const TestResult& r) { return r.n_prompt > 0 ? str_cat("pp", r.n_prompt) : str_cat("tg", r.n_gen); }

std::string test_label(const TestResult& r) { return r.ctx > 0 ? str_cat(test_name(r), " @ d", r.ctx) : test_name(r); }

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

int run_bench(const BenchArgs& a) {
    const std::vector<int64_t> depths = parse_context_lengths(a.contexts, "--ctx", true);
    WHALE_CHECK(a.n_prompt > 0 || a.n_gen > 0, "nothing to measure: -p and -n are both 0");
    int64_t max_depth = 0;
    for (int64_t d : depths) max_depth = std::max(max_depth, d);
    const int threads = a.threads > 0 ? a.threads : int(std::max(1u, std::thread::hardware_concurrency()));

    const bool terminal = ::isatty(STDERR_FILENO);
    EngineOptions options;
    options.n_threads = threads;
    options.max_context = std::max(a.n_prompt, a.n_gen > 0 ? max_depth + a.n_gen : 0);
    options.show_progress = terminal;
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
    for (int64_t depth : a.n_gen > 0 ? depths : std::vector<int64_t>{}) {
        TestResult r;
        r.n_gen = a.n_gen;
        r.ctx = depth;
        r.test = test_name(r);
        ProgressBar bar(r.test, a.runs + 1, terminal);
        r.rate = summarize_rates(time_decode(*engine, a.n_gen, depth, a.runs, a.seed, [&bar] { bar.advance(1); }),
                                 a.n_gen);
        bar.finish();
        r.gb_per_s = r.rate.mean * double(m.weight_bytes_per_token) / 1e9;
        report(r);
    }
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
    cmd->add_option("-t,--threads", a->threads, "Threads (default: one per hardware thread)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--csv", a->csv, "Also write the results to this CSV file");
    cmd->add_flag("--json", a->json, "One JSON object per test on stdout instead of the table");
    cmd->add_option("--bandwidth-mib", a->bandwidth_mib, "Buffer of the read-bandwidth measurement, MiB")
        ->check(CLI::Range(16, 65536));
    cmd->add_option("--seed", a->seed, "Seed of the random token ids and synthetic cache rows");
    return [a]() { return run_bench(*a); };
}

}  // namespace whale::app
