// `whale render-chat -m MODEL < request.json`: prints the exact prompt text a DeepSeek chat format
// renders for an OpenAI-style {messages, tools} request. MODEL only picks the family.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "whale/chat/render_chat.h"
#include "whale/text/model_text_assets.h"

namespace whale::app {

CommandRun register_render_chat_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("render-chat", "Print the prompt text for an OpenAI-style chat request read from stdin");
    struct Args {
        std::string model, format, effort;
        bool think = false, no_think = false, no_generation_prompt = false;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("-m,--model", args->model, "Model directory (tokenizer_config.json and/or config.json)")->required();
    cmd->add_option("--chat-format", args->format, std::string("Override the family: ") + chat_format_names());
    auto* think = cmd->add_flag("--think", args->think, "Thinking mode");
    auto* no_think = cmd->add_flag("--no-think", args->no_think, "Non-thinking mode (the default)");
    auto* effort = cmd->add_option("--reasoning-effort", args->effort, "high | max (implies --think; V4 only)");
    think->excludes(no_think);
    no_think->excludes(effort);
    cmd->add_flag("--no-generation-prompt", args->no_generation_prompt, "Do not open the assistant turn at the end");
    return [args]() {
        const ChatFormat format = args->format.empty() ? detect_model_chat_format(args->model) : chat_format_from_name(args->format);
        ChatOptions options;
        options.thinking = args->think || !args->effort.empty();
        if (!args->effort.empty()) options.reasoning_effort = reasoning_effort_from_name(args->effort);
        options.add_generation_prompt = !args->no_generation_prompt;
        const std::string text(std::istreambuf_iterator<char>(std::cin), {});
        const std::string prompt = render_chat(format, parse_chat_request_text(text), options);
        std::fwrite(prompt.data(), 1, prompt.size(), stdout);
        return 0;
    };
}

}  // namespace whale::app
