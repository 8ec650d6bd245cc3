// POST /v1/messages and /v1/messages/count_tokens: the Anthropic Messages API (system, content
// blocks text / thinking / tool_use / tool_result, tools, thinking config), answered as one message
// or as the full streaming event sequence (message_start, content_block_start/delta/stop,
// message_delta, message_stop). The conversation is mapped onto the same chat request the OpenAI
// route builds, so both render the same prompt and share the prefix cache.
#pragma once

#include <httplib.h>

#include "whale/server/server_context.h"

namespace whale::server {

void handle_messages(ServerContext& context, const httplib::Request& request, httplib::Response& response);
void handle_count_tokens(ServerContext& context, const httplib::Request& request, httplib::Response& response);

}  // namespace whale::server
