#include "whale/server/chat_submit.h"

#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/server/api_error.h"

namespace whale::server {

PreparedPrompt prepare_chat_prompt(ServerContext& context, const ChatRequest& request, const ChatOptions& options) {
    PreparedPrompt prompt;
    prompt.text = render_chat(context.chat_format, request, options);
    prompt.tokens = context.token_memory.encode(prompt.text, context.codec);
    prompt.starts_in_reasoning = chat_prompt_opens_reasoning(prompt.text);
    return prompt;
}

std::shared_ptr<GenerationStream> submit_generation(ServerContext& context, GenerationRequest request) {
    if (context.draining.load()) throw ApiError(503, "the server is shutting down");
    const int64_t prompt = int64_t(request.prompt.size());
    if (prompt + request.max_tokens > context.context_length) {
        if (prompt >= context.context_length)
            throw ApiError(400, str_cat("This model's maximum context length is ", context.context_length,
                                        " tokens. However, your messages resulted in ", prompt, " tokens."),
                           "messages");
        request.max_tokens = context.context_length - prompt;  // as llama.cpp: the rest of the context
    }
    std::shared_ptr<GenerationStream> stream;
    try {
        stream = context.scheduler->submit(std::move(request));
    } catch (const Error& e) {
        throw ApiError(400, e.what());
    }
    if (!stream) throw ApiError(429, "too many requests are queued; retry later");
    return stream;
}

std::string json_text(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace whale::server
