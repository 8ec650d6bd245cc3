// How the server turns text into token ids and back. The tokenizer library does the work; this
// seam keeps handlers independent of it (and lets a prompt reuse the exact ids a model generated,
// see token_memory.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "whale/tokenizer/tokenizer.h"

namespace whale::server {

struct TextCodec {
    std::shared_ptr<const Tokenizer> tokenizer;  // what generated tokens are decoded with (runtime/turn.h)
    std::function<std::vector<int32_t>(const std::string&)> encode;  // added tokens in the text become their ids
    // Untrusted text (a raw completion prompt): every byte is plain text, no marker is matched.
    std::function<std::vector<int32_t>(const std::string&)> encode_plain;
    // The id of an added token named exactly `text` (a FIM marker), if the tokenizer has one.
    std::function<std::optional<int32_t>(const std::string&)> added_token;
    std::function<std::string(int32_t)> token_text;                  // raw bytes of one token
};

// The codec of a loaded tokenizer (Engine::text()).
TextCodec text_codec(std::shared_ptr<const Tokenizer> tokenizer);

}  // namespace whale::server
