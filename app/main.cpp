// whale: command-line entry point. Subcommands live in commands/; this file only dispatches and
// turns errors into one line on stderr with a meaningful exit code
// (0 success, 1 runtime error such as a bad model file, 2 bad command-line usage).
#include <cstdio>
#include <map>

#include "commands.h"
#include "whale/core/error.h"

int main(int argc, char** argv) {
    CLI::App app{"whale: run the DeepSeek model family (V2, V3, R1, V3.1) on your own machine"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "whale 0.1.0");
    std::map<CLI::App*, whale::app::CommandRun> commands;
    auto add = [&](whale::app::CommandRun (*registrar)(CLI::App&)) {
        whale::app::CommandRun run = registrar(app);
        commands[app.get_subcommands({}).back()] = std::move(run);
    };
    add(whale::app::register_inspect_command);
    add(whale::app::register_logits_command);
    add(whale::app::register_generate_command);
    add(whale::app::register_render_chat_command);
    add(whale::app::register_tokenize_command);
    add(whale::app::register_detokenize_command);
    add(whale::app::register_run_command);
    add(whale::app::register_chat_command);
    add(whale::app::register_serve_command);
    add(whale::app::register_kv_command);
    add(whale::app::register_convert_command);
    add(whale::app::register_quantize_command);
    add(whale::app::register_make_bench_model_command);
    add(whale::app::register_bench_command);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        for (auto& [subcommand, run] : commands)
            if (subcommand->parsed()) return run();
    } catch (const whale::Error& e) {
        std::fprintf(stderr, "whale: error: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "whale: error: out of memory (try a smaller --ctx or a smaller model)\n");
        return 1;
    }
    return 0;
}
