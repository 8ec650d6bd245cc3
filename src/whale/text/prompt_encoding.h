// Turns a rendered chat prompt into token ids without letting message text smuggle in control
// tokens: the template's own markers are matched as special tokens, while every message's
// content (untrusted: users, tools, earlier model output) is encoded as plain text, as HF does
// with split_special_tokens. A user typing "<｜end▁of▁sentence｜>" cannot end a turn.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "whale/chat/chat_request.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

using TextEncoder = std::function<void(std::string_view text, std::vector<int32_t>& out)>;

// `rendered` is render_chat's output for `request`. Message texts are located in order in the
// rendered prompt; whatever lies between them is template text. Only rendered[from:] is encoded
// (the caller already has ids for the part before, e.g. from its prefix memory).
std::vector<int32_t> encode_chat_prompt(const std::string& rendered, const ChatRequest& request, size_t from,
                                        const TextEncoder& trusted, const TextEncoder& untrusted);
std::vector<int32_t> encode_chat_prompt(const Tokenizer& tokenizer, const std::string& rendered,
                                        const ChatRequest& request);

}  // namespace whale
