// POST /v1/responses: the subset of the OpenAI Responses API that coding agents use. The request is
// restated as a chat request (responses_input.h) and generated like /v1/chat/completions; the chat
// events come back as output items (reasoning, message, function_call), whole or as the API's
// typed stream events: response.created, output_item.added, output_text / function-call argument
// deltas, output_item.done, response.completed (response.incomplete at max_output_tokens).
// Nothing is stored: previous_response_id is refused.
#pragma once

#include <httplib.h>

#include "whale/server/server_context.h"

namespace whale::server {

void handle_responses(ServerContext& context, const httplib::Request& request, httplib::Response& response);

}  // namespace whale::server
