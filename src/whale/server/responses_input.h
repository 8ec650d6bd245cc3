// The OpenAI Responses API's request, restated as a chat-completions request so the chat
// renderer, parser and constraints serve both: `instructions` becomes the system message, input
// items become messages (function calls join the assistant turn they belong to, function call
// outputs become tool messages, a reasoning item becomes that turn's reasoning_content), flat
// function tools become {"type": "function", "function": {...}} and tool_choice follows.
// Items and tools the server cannot place are a 400 naming their index.
#pragma once

#include "whale/server/request_fields.h"

namespace whale::server {

// {messages, tools, tool_choice} from {instructions, input, tools, tool_choice}.
Json chat_body_from_responses(const Json& body);

}  // namespace whale::server
