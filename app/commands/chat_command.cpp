// `whale chat -m MODEL`: interactive multi-turn chat with line editing and history.
// Slash commands: /think on|off, /system TEXT, /reset, /save FILE, /quit. Ctrl-C stops the
// current answer, not the program. Each turn re-renders the whole conversation and reuses the
// cached prefix, so earlier turns are not recomputed.
#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "chat_output.h"
#include "commands.h"
#include "interrupt.h"
#include "kernel_options.h"
#include "sampling_options.h"
#include "text_model.h"
#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/text/prompt_encoding.h"
#include "whale/runtime/text_generator.h"

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

// Number of leading tokens two sequences share.
size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
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
    return [a]() {
        apply_kernel_options(a->kernel);
        TextModel m = load_text_model(a->model, a->chat_format, a->threads, a->ctx, !a->kernel.no_repack);
        const bool interactive = ::isatty(STDIN_FILENO);
        if (interactive)
            std::printf("whale chat (%s, format %s). /think on|off, /system TEXT, /reset, /save FILE, /quit\n",
                        m.engine->model().description.c_str(), chat_format_name(m.format));
        auto session = m.engine->new_session();
        nlohmann::ordered_json messages = nlohmann::ordered_json::array();
        std::string system = a->system;
        bool thinking = a->think;
        std::atomic<bool>& cancel = interrupt_flag();
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
                session->rewind(0);
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
            const std::string rendered = render_chat(m.format, chat, options);
            std::vector<int32_t> prompt = encode_chat_prompt(*m.tokenizer, rendered, chat);
            const size_t reused = common_prefix(session->tokens(), prompt);
            session->rewind(int64_t(std::min(reused, prompt.size() - 1)));  // at least one new token

            TextGenerationRequest request;
            request.prompt.assign(prompt.begin() + long(session->position()), prompt.end());
            request.format = m.format;
            request.max_tokens = a->max_tokens ? a->max_tokens : m.defaults.max_new_tokens.value_or(512);
            request.sampler = resolve_sampling(a->sampling, m.defaults.sampler);
            request.starts_in_reasoning = chat_prompt_opens_reasoning(rendered);
            request.cancel = &cancel;
            cancel.store(false);
            ChatPrinter printer;
            GenerationResult result =
                generate_text(*session, *m.tokenizer, request, [&](const ChatEvent& e) { printer.print(e); });
            printer.finish();
            if (result.finish == TextFinishReason::TextFinishReason_cancelled) std::printf("[stopped]\n");
            nlohmann::ordered_json reply = {{"role", "assistant"}, {"content", result.content}};
            if (!result.reasoning.empty()) reply["reasoning_content"] = result.reasoning;
            messages.push_back(reply);
            std::fprintf(stderr, "[%zu tokens, %.1f tok/s, %zu prompt tokens reused from cache]\n", result.tokens.size(),
                         result.tokens.size() / std::max(result.decode_seconds, 1e-9), reused);
        }
        return 0;
    };
}

}  // namespace whale::app
