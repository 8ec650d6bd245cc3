// The steps every chat-shaped endpoint shares between its own request parsing and its own response
// format: render the conversation in the model's chat format, tokenize it, check it against the
// context, and queue it with the scheduler (429 when the queue is full, 503 while shutting down).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "whale/chat/chat_request.h"
#include "whale/runtime/scheduler.h"
#include "whale/server/server_context.h"

namespace whale::server {

struct PreparedPrompt {
    std::string text;
    std::vector<int32_t> tokens;
    bool starts_in_reasoning = false;  // the prompt leaves the model inside <think>
};

PreparedPrompt prepare_chat_prompt(ServerContext& context, const ChatRequest& request, const ChatOptions& options);

// Checks prompt + max_tokens against the context (400 naming both) and queues the request.
std::shared_ptr<GenerationStream> submit_generation(ServerContext& context, GenerationRequest request);

// JSON text of a response body or event; invalid UTF-8 from a model is replaced, never an exception.
std::string json_text(const nlohmann::ordered_json& value);

}  // namespace whale::server
