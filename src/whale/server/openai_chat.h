// POST /v1/chat/completions: the OpenAI Chat Completions API with DeepSeek's extensions
// (thinking, reasoning_effort, reasoning_content, prompt_cache_hit/miss usage), streaming as SSE
// chunks ending in "data: [DONE]" or as one chat.completion object.
#pragma once

#include <httplib.h>

#include "whale/server/server_context.h"

namespace whale::server {

void handle_chat_completions(ServerContext& context, const httplib::Request& request, httplib::Response& response);

}  // namespace whale::server
