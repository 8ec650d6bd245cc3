// Which token constraint a request asks for: a forced tool call (tool_choice "required" or a named
// function) or JSON output (response_format json_object / json_schema). Validates those fields
// (400 naming them) and returns the constraint, or nullptr when sampling is free.
#pragma once

#include <memory>

#include "whale/chat/chat_request.h"
#include "whale/runtime/sampling/token_constraint.h"
#include "whale/server/request_fields.h"
#include "whale/server/server_context.h"

namespace whale::server {

// Validates tool_choice and response_format (before the prompt is rendered).
void validate_openai_constraints(const Json& body, const ChatRequest& chat);
// The constraint once the prompt is known: starts_in_reasoning adds a forced "</think>" first, so
// the call or the JSON lands in the answer. max_tokens too small for it is a 400.
std::shared_ptr<TokenConstraint> constraint_for_openai(const ServerContext& context, const Json& body,
                                                       bool starts_in_reasoning, int64_t max_tokens);

}  // namespace whale::server
