// Streaming detokenizer: emit complete UTF-8, hold back an unfinished character.
#include "whale/tokenizer/stream_decoder.h"

#include "whale/tokenizer/utf8.h"

namespace whale {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, const DecodeOptions& options)
    : tokenizer_(&tokenizer), options_(options) {}

std::string StreamDecoder::push(int32_t id) {
    if (options_.skip_special && tokenizer_->is_special(id)) return {};
    pending_ += tokenizer_->token_bytes(id);
    const size_t ready = utf8_complete_prefix(pending_);
    std::string text;
    utf8_append_lossy(text, std::string_view(pending_).substr(0, ready));
    pending_.erase(0, ready);
    return text;
}

std::string StreamDecoder::finish() {
    std::string text;
    utf8_append_lossy(text, pending_);
    pending_.clear();
    return text;
}

}  // namespace whale
