// Each subcommand registers itself on the CLI app and returns the callback that runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace whale::app {

using CommandRun = std::function<int()>;

CommandRun register_inspect_command(CLI::App& app);
CommandRun register_logits_command(CLI::App& app);
CommandRun register_generate_command(CLI::App& app);
CommandRun register_render_chat_command(CLI::App& app);
CommandRun register_tokenize_command(CLI::App& app);
CommandRun register_detokenize_command(CLI::App& app);
CommandRun register_run_command(CLI::App& app);
CommandRun register_chat_command(CLI::App& app);
CommandRun register_serve_command(CLI::App& app);
CommandRun register_kv_command(CLI::App& app);
CommandRun register_convert_command(CLI::App& app);
CommandRun register_quantize_command(CLI::App& app);
CommandRun register_make_bench_model_command(CLI::App& app);
CommandRun register_bench_command(CLI::App& app);

}  // namespace whale::app
