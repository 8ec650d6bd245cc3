// Added tokens (special tokens such as <｜User｜>, and non-special extras) and the matcher that cuts
// text at their occurrences before any other processing, following HF tokenizers: leftmost match,
// longest token wins at a position, matches never overlap; single_word / lstrip / rstrip honoured.
// Tokens with normalized=false are matched in the raw text, the others in normalized text, so the
// matcher keeps the two sets apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "whale/tokenizer/regex.h"

namespace whale {

struct AddedToken {
    int32_t id = -1;
    std::string content;
    bool special = false;      // dropped by decode with skip_special
    bool lstrip = false;       // the match swallows whitespace on its left
    bool rstrip = false;       // ... and on its right
    bool single_word = false;  // only matches when not inside a word
    bool normalized = false;   // matched after the normalizer instead of in raw text
};

// A piece of text: an added token (id >= 0) or plain text to pre-tokenize (id == -1).
struct TextSegment {
    size_t start, end;
    int32_t id;
};

class AddedTokenMatcher {
public:
    // Builds the matcher over the tokens whose `normalized` flag equals `normalized`.
    AddedTokenMatcher(const std::vector<AddedToken>& tokens, bool normalized);

    bool empty() const { return tokens_.empty(); }

    // Appends the segments of `text` to `out` in order; together they cover the text, except
    // whitespace swallowed by lstrip/rstrip tokens.
    void split(std::string_view text, std::vector<TextSegment>& out) const;

private:
    struct Node {
        int32_t token = -1;  // index into tokens_, -1 when no token ends here
        std::vector<std::pair<uint8_t, int32_t>> children;
    };
    int32_t child(int32_t node, uint8_t byte) const;
    bool is_word_char_at_end(std::string_view text) const;
    bool is_word_char_at_start(std::string_view text) const;

    std::vector<AddedToken> tokens_;
    std::vector<Node> nodes_;  // nodes_[0] is the root
    bool first_byte_[256] = {};
    std::optional<Regex> word_char_;  // only when some token is single_word
};

}  // namespace whale
