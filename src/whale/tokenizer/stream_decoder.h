// Incremental detokenization for generation: tokens arrive one at a time, and a token may end in
// the middle of a UTF-8 character (DeepSeek splits rare characters and emoji over byte tokens).
// StreamDecoder emits only whole characters and holds back the incomplete tail until the next
// token completes it, so a client never sees a broken character. The concatenation of all pushes
// and finish() equals Tokenizer::decode of the same ids.
#pragma once

#include <cstdint>
#include <string>

#include "whale/tokenizer/tokenizer.h"

namespace whale {

class StreamDecoder {
public:
    explicit StreamDecoder(const Tokenizer& tokenizer, const DecodeOptions& options = {});

    // Adds one token; returns the text that is now complete (often empty or one character).
    std::string push(int32_t id);
    // Ends the stream: returns the held-back bytes (an unfinished character becomes U+FFFD).
    std::string finish();

private:
    const Tokenizer* tokenizer_;
    DecodeOptions options_;
    std::string pending_;  // bytes not yet emitted: at most one unfinished character
};

}  // namespace whale
