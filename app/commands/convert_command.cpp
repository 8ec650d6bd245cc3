// `whale convert HF_DIR OUT.gguf --type T` and `whale quantize IN.gguf OUT.gguf --type T`:
// write a llama.cpp-compatible deepseek2 GGUF (f32, bf16, q8_0, q4_k_m or q6_k), with a progress
// bar while writing and a summary line (tensors, size, bits per weight) at the end.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "commands.h"
#include "whale/model/gguf/requantize.h"
#include "whale/model/registry.h"

namespace whale::app {

namespace {

struct Args {
    std::string input, output, type = "q8_0";
};

std::shared_ptr<Args> add_args(CLI::App* cmd, const char* input_help) {
    auto args = std::make_shared<Args>();
    cmd->add_option("input", args->input, input_help)->required();
    cmd->add_option("output", args->output, "Output .gguf file")->required();
    cmd->add_option("--type", args->type, "Weight type: f32, bf16, q8_0, q4_k_m or q6_k")
        ->check(CLI::IsMember({"f32", "bf16", "q8_0", "q4_k_m", "q6_k"}));
    return args;
}

void print_summary(const Args& args, const GgufWriteSummary& s, double seconds) {
    std::fprintf(stderr, "wrote %s: %s, %lld tensors, %lld weights, %.2f MiB (%.2f bits per weight) in %.1f s\n",
                 args.output.c_str(), args.type.c_str(), (long long)s.n_tensors, (long long)s.n_values,
                 double(s.file_bytes) / (1024.0 * 1024.0), s.bits_per_weight(), seconds);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CommandRun register_convert_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("convert", "Convert a DeepSeek Hugging Face checkpoint to a deepseek2 GGUF");
    auto args = add_args(cmd, "Model directory (config.json + safetensors)");
    return [args]() {
        auto start = std::chrono::steady_clock::now();
        GgufWriteSummary s = convert_to_gguf(args->input, args->output, gguf_file_type_from_name(args->type),
                                             ::isatty(STDERR_FILENO));
        print_summary(*args, s, seconds_since(start));
        return 0;
    };
}

CommandRun register_quantize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("quantize", "Re-encode a GGUF's weights to another type");
    auto args = add_args(cmd, "Input .gguf file");
    return [args]() {
        auto start = std::chrono::steady_clock::now();
        GgufWriteSummary s = requantize_gguf(args->input, args->output, gguf_file_type_from_name(args->type),
                                             ::isatty(STDERR_FILENO));
        print_summary(*args, s, seconds_since(start));
        return 0;
    };
}

}  // namespace whale::app
