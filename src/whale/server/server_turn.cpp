#include "whale/server/server_turn.h"

#include <random>

#include "whale/server/request_log.h"

namespace whale::server {

namespace {

void remember_conversation(ServerContext& context, const Turn& turn, const PreparedPrompt& prompt) {
    std::vector<int32_t> tokens = prompt.tokens;
    tokens.insert(tokens.end(), turn.generated().begin(), turn.generated().end());
    std::string text = prompt.text + turn.raw_text();
    // The end-of-sequence token is not reported as output, but the next turn's history has it.
    if (turn.finish_reason() == FinishReason::FinishReason_eos && context.eos_token >= 0) {
        tokens.push_back(context.eos_token);
        text += context.codec.token_text(context.eos_token);
    }
    context.token_memory.remember(std::move(text), std::move(tokens));
}

}  // namespace

TurnDecoderOptions chat_turn_options(const ServerContext& context, const PreparedPrompt& prompt,
                                     std::vector<std::string> stops) {
    TurnDecoderOptions options;
    options.format = context.chat_format;
    options.starts_in_reasoning = prompt.starts_in_reasoning;
    options.stop = std::move(stops);
    return options;
}

TurnDecoderOptions completion_turn_options(std::vector<std::string> stops) {
    TurnDecoderOptions options;
    options.parse_chat = false;
    options.stop = std::move(stops);
    return options;
}

void record_turn(ServerContext& context, const Turn& turn, const PreparedPrompt* chat_prompt) {
    current_request().prompt_tokens = turn.prompt_tokens();
    current_request().completion_tokens = turn.completion_tokens();
    context.metrics.record_tokens(turn.prompt_tokens(), turn.completion_tokens());
    if (chat_prompt && turn.end() != TurnEnd::TurnEnd_error && turn.end() != TurnEnd::TurnEnd_cancelled)
        remember_conversation(context, turn, *chat_prompt);
    if (turn.seconds_to_first_token() < 0) return;
    context.metrics.record_time_to_first_token(turn.seconds_to_first_token());
    if (turn.completion_tokens() > 1)
        context.metrics.record_time_per_token((turn.seconds_since_start() - turn.seconds_to_first_token()) /
                                              double(turn.completion_tokens() - 1));
}

std::string random_id(const std::string& prefix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string id = prefix;
    for (int i = 0; i < 24; ++i) id += hex[rng() % 16];
    return id;
}

}  // namespace whale::server
