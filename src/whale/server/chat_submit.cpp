#include "whale/server/chat_submit.h"

#include "whale/chat/render_chat.h"
#include "whale/core/error.h"
#include "whale/text/prompt_encoding.h"
#include "whale/server/api_error.h"

namespace whale::server {

PreparedPrompt prepare_chat_prompt(ServerContext& context, const ChatRequest& request, const ChatOptions& options) {
    PreparedPrompt prompt;
    prompt.text = render_chat(context.chat_format, request, options);
    // Message texts are untrusted: their bytes never become control tokens (prompt_encoding.h).
    auto as_encoder = [](const std::function<std::vector<int32_t>(const std::string&)>& encode) {
        return [&encode](std::string_view text, std::vector<int32_t>& out) {
            std::vector<int32_t> ids = encode(std::string(text));
            out.insert(out.end(), ids.begin(), ids.end());
        };
    };
    prompt.tokens = context.token_memory.encode(prompt.text, [&](size_t from) {
        return encode_chat_prompt(prompt.text, request, from, as_encoder(context.codec.encode),
                                  as_encoder(context.codec.encode_plain));
    });
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
