// `whale make-bench-model OUT [--shape v2-lite|v3.2|v3.2-dense] [--layers N] [--type T] [--seed S]`:
// random-weight models of real DeepSeek shapes for `whale bench`:
//   v2-lite     a deepseek2 GGUF (OUT.gguf) of V2-Lite's dimensions, also for llama.cpp side by side;
//   v3.2        an HF directory (OUT/) with V3.2's attention and indexer (bench_checkpoint.h);
//   v3.2-dense  the same shape as deepseek_v3: dense MLA, no indexer, to compare against.
// Output appears under its name only when complete (written as OUT.partial, then renamed), so
// another process waiting for it never reads half a model.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "whale/bench/bench_checkpoint.h"
#include "whale/bench/bench_gguf.h"

namespace whale::app {

CommandRun register_make_bench_model_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("make-bench-model",
                                   "Write a random-weight model of a real DeepSeek shape for benchmarks");
    struct Args {
        std::string output, shape = "v2-lite", type = "q8_0";
        int layers = 8;
        uint64_t seed = 1;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("output", args->output, "Output .gguf file (v2-lite) or directory (v3.2, v3.2-dense)")
        ->required();
    cmd->add_option("--shape", args->shape, "v2-lite, v3.2 or v3.2-dense")
        ->check(CLI::IsMember({"v2-lite", "v3.2", "v3.2-dense"}));
    cmd->add_option("--layers", args->layers, "Decoder layers (V2-Lite: 27, the first dense; default 8)")
        ->check(CLI::Range(2, 64));
    cmd->add_option("--type", args->type, "v2-lite weight type: f32, bf16, q8_0, q4_k_m or q6_k (v3.2: bf16)")
        ->check(CLI::IsMember({"f32", "bf16", "q8_0", "q4_k_m", "q6_k"}));
    cmd->add_option("--seed", args->seed, "Random seed (same seed, same file)");
    return [args]() {
        const auto start = std::chrono::steady_clock::now();
        const std::string partial = args->output + ".partial";
        const bool terminal = ::isatty(STDERR_FILENO);
        auto seconds = [start] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        if (args->shape != "v2-lite") {
            std::filesystem::remove_all(partial);
            write_bench_checkpoint(partial, v32_bench_config(args->layers, args->shape == "v3.2"), args->seed,
                                   terminal);
            std::filesystem::remove_all(args->output);
            std::filesystem::rename(partial, args->output);
            std::fprintf(stderr, "wrote %s: %s, %d layers, bf16 in %.1f s\n", args->output.c_str(),
                         args->shape.c_str(), args->layers, seconds());
            return 0;
        }
        const std::string name = std::filesystem::path(args->output).stem().string();
        const GgufWriteSummary s = write_bench_gguf(partial, name, v2_lite_bench_config(args->layers),
                                                    gguf_file_type_from_name(args->type), args->seed, terminal);
        std::filesystem::rename(partial, args->output);
        std::fprintf(stderr, "wrote %s: %s, %lld tensors, %lld weights, %.2f GiB (%.2f bits per weight) in %.1f s\n",
                     args->output.c_str(), args->type.c_str(), (long long)s.n_tensors, (long long)s.n_values,
                     double(s.file_bytes) / (1024.0 * 1024.0 * 1024.0), s.bits_per_weight(), seconds());
        return 0;
    };
}

}  // namespace whale::app
