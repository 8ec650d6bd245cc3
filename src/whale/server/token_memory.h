// Remembers the exact token ids behind recent conversations (prompt + what the model generated),
// keyed by their text. A follow-up turn renders its history as text again; re-tokenizing the
// model's own output would often give different ids (BPE picks canonical merges, a model need
// not), which would break the prefix-cache hit right where the last answer starts. Encoding the
// longest remembered text prefix with its remembered ids keeps the whole history a cache hit,
// including replayed reasoning and tool calls. Thread-safe; bounded, least recently used dropped.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <vector>

#include "whale/server/text_codec.h"

namespace whale::server {

class TokenMemory {
public:
    explicit TokenMemory(size_t capacity = 256) : capacity_(capacity) {}

    void remember(std::string text, std::vector<int32_t> tokens);
    // The ids of the longest remembered prefix of `text`, then encode_from's ids for the rest.
    // `encode_from(offset)` encodes text[offset:] when the memory covers only a prefix.
    std::vector<int32_t> encode(const std::string& text, const std::function<std::vector<int32_t>(size_t)>& encode_from);

private:
    struct Entry {
        std::string text;
        std::vector<int32_t> tokens;
    };
    size_t capacity_;
    std::mutex mutex_;
    std::list<Entry> entries_;  // front = most recently used
};

}  // namespace whale::server
