// `whale chat -m MODEL`: interactive multi-turn chat with line editing and history.
// `--speculative mtp [--draft N]` drafts with the model's MTP layer, as run and serve do.
// Slash commands: /think on|off, /system TEXT, /reset, /save FILE, /quit. Ctrl-C stops the
// current answer, not the program. Each turn re-renders the whole conversation and submits it to
// the scheduler, whose prefix cache holds the earlier turns, so they are not recomputed.
#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli_generation.h"
#include "commands.h"
#include "kernel_options.h"
#include "sampling_options.h"
#include "speculative_options.h"
#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/text/prompt_encoding.h"

namespace whale::app {

namespace {

bool read_line(bool interactive, std::string* line) {
    if (!interactive) return bool(std::getline(std::cin, *line));
    char* raw = readline("> ");
    if (!raw) return false;
    *line = raw;
    if (!line->empty()) add_history(raw);
    std::free(raw);
    return true;
}

}  // namespace

CommandRun register_chat_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("chat", "Interactive multi-turn chat");
    struct Args {
        std::string model, system, chat_format;
        bool think = false;
        int max_tokens = 0, threads = 0;
        KernelFlags kernel;
        int64_t ctx = 0;
        SamplingFlags sampling;
        SpeculativeFlags speculative;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("-m,--model", a->model, "Model directory")->required();
    cmd->add_option("--system", a->system, "System prompt");
    cmd->add_flag("--think", a->think, "Start with reasoning on (toggle with /think on|off)");
    cmd->add_option("--chat-format", a->chat_format, std::string("Override the detected format: ") + chat_format_names());
    cmd->add_option("-n,--max-tokens", a->max_tokens, "Tokens per answer (default: generation_config.json or 512)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("-t,--threads", a->threads, "Threads (default: all cores)");
    add_kernel_options(cmd, a->kernel);
    cmd->add_option("--ctx", a->ctx, "Context length limit");
    add_sampling_options(cmd, a->sampling);
    add_speculative_options(cmd, a->speculative);
    return [a]() {
        apply_kernel_options(a->kernel);
        auto engine = Engine::load(a->model, text_engine_options(a->threads, a->ctx, a->kernel, a->chat_format));
        const ModelText& text = engine->text();
        // Every turn is a request of its own; the prefix cache hands it the conversation so far.
        auto scheduler = cli_scheduler(*engine, draft_tokens(a->speculative, *engine));
        const bool interactive = ::isatty(STDIN_FILENO);
        if (interactive)
            std::printf("whale chat (%s, format %s). /think on|off, /system TEXT, /reset, /save FILE, /quit\n",
                        engine->model().description.c_str(), chat_format_name(text.format));
        nlohmann::ordered_json messages = nlohmann::ordered_json::array();
        std::string system = a->system;
        bool thinking = a->think;
        std::string line;
        while (read_line(interactive, &line)) {
            if (line.empty()) continue;
            if (line == "/quit" || line == "/exit") break;
            if (line == "/think on" || line == "/think off") {
                thinking = line == "/think on";
                std::printf("reasoning %s\n", thinking ? "on" : "off");
                continue;
            }
            if (line.rfind("/system", 0) == 0) {
                system = line.size() > 8 ? line.substr(8) : "";
                std::printf("system prompt %s\n", system.empty() ? "cleared" : "set");
                continue;
            }
            if (line == "/reset") {
                messages = nlohmann::ordered_json::array();
                std::printf("conversation cleared\n");
                continue;
            }
            if (line.rfind("/save ", 0) == 0) {
                std::ofstream out(line.substr(6));
                out << nlohmann::ordered_json{{"messages", messages}}.dump(2) << "\n";
                std::printf(out.good() ? "saved to %s\n" : "could not write %s\n", line.substr(6).c_str());
                continue;
            }
            if (line[0] == '/') {
                std::printf("unknown command %s\n", line.c_str());
                continue;
            }
            messages.push_back({{"role", "user"}, {"content", line}});
            nlohmann::ordered_json all = nlohmann::ordered_json::array();
            if (!system.empty()) all.push_back({{"role", "system"}, {"content", system}});
            for (const auto& msg : messages) all.push_back(msg);
            ChatRequest chat = parse_chat_request(nlohmann::ordered_json{{"messages", all}});
            ChatOptions options;
            options.thinking = thinking;
            const std::string rendered = render_chat(text.format, chat, options);

            GenerationRequest request;
            request.prompt = encode_chat_prompt(*text.tokenizer, rendered, chat);
            request.max_tokens = a->max_tokens ? a->max_tokens : text.defaults.max_new_tokens.value_or(512);
            request.sampler = resolve_sampling(a->sampling, text.defaults.sampler);
            TurnDecoderOptions decoding;
            decoding.format = text.format;
            decoding.starts_in_reasoning = chat_prompt_opens_reasoning(rendered);
            Turn turn(scheduler->submit(std::move(request)), *text.tokenizer, decoding);
            const PrintedTurn printed = print_turn(turn);
            if (printed.end == TurnEnd::TurnEnd_cancelled) std::printf("[stopped]\n");
            nlohmann::ordered_json reply = {{"role", "assistant"}, {"content", printed.content}};
            if (!printed.reasoning.empty()) reply["reasoning_content"] = printed.reasoning;
            messages.push_back(reply);
            const size_t generated = generated_tokens(turn);
            const double decode = turn.seconds_since_start() - std::max(0.0, turn.seconds_to_first_token());
            std::fprintf(stderr, "[%zu tokens, %.1f tok/s, %lld prompt tokens reused from cache%s]\n", generated,
                         generated / std::max(decode, 1e-9), static_cast<long long>(turn.cached_tokens()),
                         speculative_summary(a->speculative, scheduler->stats()).c_str());
        }
        return 0;
    };
}

}  // namespace whale::app
