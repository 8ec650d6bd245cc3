// POST /v1/completions: the legacy OpenAI text completion API, which DeepSeek's API keeps for
// fill-in-the-middle. The prompt is untrusted plain text (no marker in it becomes a control token);
// with `suffix` the server itself frames prefix and suffix with the tokenizer's FIM tokens.
#pragma once

#include <httplib.h>

#include "whale/server/server_context.h"

namespace whale::server {

void handle_completions(ServerContext& context, const httplib::Request& request, httplib::Response& response);

}  // namespace whale::server
