#include "whale/server/text_codec.h"

#include <memory>

#include "whale/text/model_text_assets.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale::server {

TextCodec load_text_codec(const std::string& model_dir) {
    auto tokenizer = std::make_shared<const Tokenizer>(load_model_tokenizer(model_dir));
    TextCodec codec;
    // The prompt is the chat format's rendering, so its markers are meant as added tokens.
    codec.encode = [tokenizer](const std::string& text) { return tokenizer->encode(text); };
    codec.encode_plain = [tokenizer](const std::string& text) { return tokenizer->encode(text, {.parse_special = false}); };
    codec.added_token = [tokenizer](const std::string& text) -> std::optional<int32_t> {
        auto id = tokenizer->token_to_id(text);
        if (id && tokenizer->is_added(*id)) return id;
        return std::nullopt;
    };
    codec.token_text = [tokenizer](int32_t id) {
        return id >= 0 && id < tokenizer->n_ids() ? std::string(tokenizer->token_bytes(id)) : std::string();
    };
    return codec;
}

}  // namespace whale::server
