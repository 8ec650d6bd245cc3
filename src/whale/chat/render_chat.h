// Renders an OpenAI-style chat request into the exact prompt text of a DeepSeek chat format,
// byte for byte what the official Jinja templates (V3, R1, V3.1, R1-Distill) or reference encoders
// (V3.2, V4) produce, quirks included (tests/golden/chat/ holds their outputs).
//
// Conventions where the official formats have no switch (the same in scripts/make_chat_goldens.py):
// - prefill: a final assistant message with "prefix": true ends the prompt inside that message
//   (no EOS, no generation prompt);
// - V3.2/V4 request-level tools go on the leading system message (a new empty one if there is none);
//   the Jinja-era templates (V3, R1, V3.1, R1-Distill) do not render tools, so neither does whale;
// - V3.2/V4 add_generation_prompt=false drops the assistant opener after the final user turn
//   (V3.2: the think token after final tool results).
#pragma once

#include <string>
#include <string_view>

#include "whale/chat/chat_format.h"
#include "whale/chat/chat_request.h"

namespace whale {

std::string render_chat(ChatFormat format, const ChatRequest& request, const ChatOptions& options);

// Whether a rendered prompt leaves the model inside a reasoning block (its last "<think>" is not
// closed), so the completion starts with reasoning: R1's "<think>\n", V3.1/V3.2/V4 thinking mode.
bool chat_prompt_opens_reasoning(std::string_view prompt);

}  // namespace whale
