// `whale run -m MODEL -p "question" [--think | --no-think | --reasoning-effort high|max]`:
// renders the chat in the model's own format, streams the reasoning (marked) then the answer,
// and reports speed. `--raw` skips the chat template (plain completion). `--speculative mtp
// [--draft N]` drafts with the model's MTP layer and adds the acceptance rate to the stats line.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "chat_output.h"
#include "commands.h"
#include "interrupt.h"
#include "kernel_options.h"
#include "sampling_options.h"
#include "speculative_options.h"
#include "text_model.h"
#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/text/prompt_encoding.h"
#include "whale/runtime/text_generator.h"

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
        TextModel m = load_text_model(a->model, a->chat_format, a->threads, a->ctx, !a->kernel.no_repack);
        std::unique_ptr<Drafter> drafter = make_drafter(a->speculative, *m.engine);

        TextGenerationRequest request;
        request.format = m.format;
        request.max_tokens = a->max_tokens ? a->max_tokens : m.defaults.max_new_tokens.value_or(512);
        request.stop = a->stop;
        request.sampler = resolve_sampling(a->sampling, m.defaults.sampler);
        request.cancel = &interrupt_flag();
        request.drafter = drafter.get();
        request.n_draft = a->speculative.n_draft;
        if (a->raw) {
            request.prompt = m.tokenizer->encode(a->prompt);  // the user's own trusted text
            request.parse_chat = false;
        } else {
            nlohmann::ordered_json messages = nlohmann::ordered_json::array();
            if (!a->system.empty()) messages.push_back({{"role", "system"}, {"content", a->system}});
            messages.push_back({{"role", "user"}, {"content", a->prompt}});
            ChatRequest chat = parse_chat_request(nlohmann::ordered_json{{"messages", messages}});
            ChatOptions options;
            options.thinking = (a->think || !a->reasoning_effort.empty()) && !a->no_think;
            if (!a->reasoning_effort.empty()) options.reasoning_effort = reasoning_effort_from_name(a->reasoning_effort);
            const std::string rendered = render_chat(m.format, chat, options);
            request.prompt = encode_chat_prompt(*m.tokenizer, rendered, chat);
            request.starts_in_reasoning = chat_prompt_opens_reasoning(rendered);
        }
        auto session = drafter ? m.engine->new_drafting_session() : m.engine->new_session();
        ChatPrinter printer;
        GenerationResult result =
            generate_text(*session, *m.tokenizer, request, [&](const ChatEvent& e) { printer.print(e); });
        printer.finish();
        const char* why = result.finish == TextFinishReason::TextFinishReason_length      ? "length"
                          : result.finish == TextFinishReason::TextFinishReason_cancelled ? "interrupted"
                                                                                   : "stop";
        std::fprintf(stderr,
                     "[%s] prompt %lld tokens in %.2fs (%.1f tok/s); generated %zu tokens (%lld reasoning) in "
                     "%.2fs (%.1f tok/s); format %s; finish: %s%s\n",
                     m.engine->model().architecture.c_str(), (long long)result.prompt_tokens, result.prefill_seconds,
                     result.prompt_tokens / std::max(result.prefill_seconds, 1e-9), result.tokens.size(),
                     (long long)result.reasoning_tokens, result.decode_seconds,
                     result.tokens.size() / std::max(result.decode_seconds, 1e-9), chat_format_name(m.format), why,
                     speculative_summary(a->speculative, result.speculative).c_str());
        return 0;
    };
}

}  // namespace whale::app
