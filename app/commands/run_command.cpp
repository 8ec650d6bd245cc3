// `whale run -m MODEL -p "question" [--think | --no-think | --reasoning-effort high|max]`:
// renders the chat in the model's own format, streams the reasoning (marked) then the answer,
// and reports speed. `--raw` skips the chat template (plain completion). `--speculative mtp
// [--draft N]` drafts with the model's MTP layer and adds the acceptance rate to the stats line.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli_generation.h"
#include "commands.h"
#include "kernel_options.h"
#include "sampling_options.h"
#include "speculative_options.h"
#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/text/prompt_encoding.h"

namespace whale::app {

CommandRun register_run_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("run", "Answer one prompt, streaming reasoning and answer");
    struct Args {
        std::string model, prompt, system, chat_format, reasoning_effort;
        bool think = false, no_think = false, raw = false;
        int max_tokens = 0, threads = 0;
        KernelFlags kernel;
        int64_t ctx = 0;
        std::vector<std::string> stop;
        SamplingFlags sampling;
        SpeculativeFlags speculative;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("-m,--model", a->model, "Model directory (weights, tokenizer.json, tokenizer_config.json)")->required();
    cmd->add_option("-p,--prompt", a->prompt, "The question (default: read stdin)");
    cmd->add_option("--system", a->system, "System prompt");
    auto* think = cmd->add_flag("--think", a->think, "Reason before answering");
    cmd->add_flag("--no-think", a->no_think, "Answer directly")->excludes(think);
    cmd->add_option("--reasoning-effort", a->reasoning_effort, "high or max (V4; implies --think)")
        ->check(CLI::IsMember({"high", "max"}));
    cmd->add_option("--chat-format", a->chat_format, std::string("Override the detected format: ") + chat_format_names());
    cmd->add_flag("--raw", a->raw, "Plain completion of the prompt, no chat template");
    cmd->add_option("-n,--max-tokens", a->max_tokens, "Tokens to generate (default: generation_config.json or 512)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--stop", a->stop, "Stop string (repeatable)");
    cmd->add_option("-t,--threads", a->threads, "Threads (default: all cores)");
    add_kernel_options(cmd, a->kernel);
    cmd->add_option("--ctx", a->ctx, "Context length limit (default: model maximum, at most 32768)");
    add_sampling_options(cmd, a->sampling);
    add_speculative_options(cmd, a->speculative);
    return [a]() {
        if (a->prompt.empty()) a->prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
        WHALE_CHECK(!a->prompt.empty(), "run: empty prompt (give -p or text on stdin)");
        apply_kernel_options(a->kernel);
        auto engine = Engine::load(a->model, text_engine_options(a->threads, a->ctx, a->kernel, a->chat_format));
        const ModelText& text = engine->text();
        auto scheduler = cli_scheduler(*engine, draft_tokens(a->speculative, *engine));

        GenerationRequest request;
        request.max_tokens = a->max_tokens ? a->max_tokens : text.defaults.max_new_tokens.value_or(512);
        request.sampler = resolve_sampling(a->sampling, text.defaults.sampler);
        TurnDecoderOptions decoding;
        decoding.format = text.format;
        decoding.stop = a->stop;
        if (a->raw) {
            request.prompt = text.tokenizer->encode(a->prompt);  // the user's own trusted text
            decoding.parse_chat = false;
        } else {
            nlohmann::ordered_json messages = nlohmann::ordered_json::array();
            if (!a->system.empty()) messages.push_back({{"role", "system"}, {"content", a->system}});
            messages.push_back({{"role", "user"}, {"content", a->prompt}});
            ChatRequest chat = parse_chat_request(nlohmann::ordered_json{{"messages", messages}});
            ChatOptions options;
            options.thinking = (a->think || !a->reasoning_effort.empty()) && !a->no_think;
            if (!a->reasoning_effort.empty()) options.reasoning_effort = reasoning_effort_from_name(a->reasoning_effort);
            const std::string rendered = render_chat(text.format, chat, options);
            request.prompt = encode_chat_prompt(*text.tokenizer, rendered, chat);
            decoding.starts_in_reasoning = chat_prompt_opens_reasoning(rendered);
        }
        Turn turn(scheduler->submit(std::move(request)), *text.tokenizer, decoding);
        const PrintedTurn printed = print_turn(turn);
        // No token at all (the first was end-of-sequence): the prompt's forward took the whole time.
        const double total = turn.seconds_since_start();
        const double prefill = turn.seconds_to_first_token() >= 0 ? turn.seconds_to_first_token() : total;
        const double decode = total - prefill;
        const size_t generated = generated_tokens(turn);
        const char* why = printed.end == TurnEnd::TurnEnd_length      ? "length"
                          : printed.end == TurnEnd::TurnEnd_cancelled ? "interrupted"
                                                                      : "stop";
        std::fprintf(stderr,
                     "[%s] prompt %lld tokens in %.2fs (%.1f tok/s); generated %zu tokens (%lld reasoning) in "
                     "%.2fs (%.1f tok/s); format %s; finish: %s%s\n",
                     engine->model().architecture.c_str(), (long long)turn.prompt_tokens(), prefill,
                     turn.prompt_tokens() / std::max(prefill, 1e-9), generated, (long long)turn.reasoning_tokens(),
                     decode, generated / std::max(decode, 1e-9), chat_format_name(text.format), why,
                     speculative_summary(a->speculative, scheduler->stats()).c_str());
        return 0;
    };
}

}  // namespace whale::app
