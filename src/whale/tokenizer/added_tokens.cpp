// Byte trie over the added tokens; scanning tests only positions whose byte can start a token.
#include "whale/tokenizer/added_tokens.h"

#include <algorithm>

#include "whale/tokenizer/utf8.h"

namespace whale {

namespace {

// Rust's char::is_whitespace (the Unicode White_Space property), which HF uses for lstrip/rstrip.
bool is_unicode_whitespace(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

size_t whitespace_suffix_start(std::string_view text) {
    size_t start = text.size();
    while (start > 0) {
        int length = 1;
        if (!is_unicode_whitespace(utf8_decode_last(text.substr(0, start), length))) break;
        start -= size_t(length);
    }
    return start;
}

size_t whitespace_prefix_length(std::string_view text) {
    size_t end = 0;
    while (end < text.size()) {
        int length = 1;
        if (!is_unicode_whitespace(utf8_decode_at(text, end, length))) break;
        end += size_t(length);
    }
    return end;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens, bool normalized) {
    nodes_.emplace_back();
    for (const AddedToken& token : tokens) {
        if (token.normalized != normalized || token.content.empty()) continue;
        int32_t node = 0;
        for (char c : token.content) {
            int32_t next = child(node, uint8_t(c));
            if (next < 0) {
                next = int32_t(nodes_.size());
                nodes_[node].children.emplace_back(uint8_t(c), next);
                nodes_.emplace_back();
            }
            node = next;
        }
        first_byte_[uint8_t(token.content[0])] = true;
        // A duplicated content keeps its first entry, like HF's vocabulary map.
        if (nodes_[node].token >= 0) continue;
        nodes_[node].token = int32_t(tokens_.size());
        tokens_.push_back(token);
        if (token.single_word && !word_char_) word_char_.emplace("^\\w", false, "added token single_word check");
    }
}

int32_t AddedTokenMatcher::child(int32_t node, uint8_t byte) const {
    for (const auto& [b, next] : nodes_[node].children)
        if (b == byte) return next;
    return -1;
}

bool AddedTokenMatcher::is_word_char_at_end(std::string_view text) const {
    if (text.empty()) return false;
    int length = 1;
    utf8_decode_last(text, length);
    size_t s, e;
    return word_char_->find(text.substr(text.size() - size_t(length)), 0, s, e);
}

bool AddedTokenMatcher::is_word_char_at_start(std::string_view text) const {
    size_t s, e;
    return !text.empty() && word_char_->find(text, 0, s, e);
}

void AddedTokenMatcher::split(std::string_view text, std::vector<TextSegment>& out) const {
    size_t segment_start = 0;  // end of the last emitted segment
    size_t pos = 0;
    const size_t n = text.size();
    while (pos < n) {
        if (!first_byte_[uint8_t(text[pos])]) {
            ++pos;
            continue;
        }
        int32_t best = -1;
        size_t best_end = 0;
        for (int32_t node = 0, i = int32_t(pos); size_t(i) < n; ++i) {
            node = child(node, uint8_t(text[i]));
            if (node < 0) break;
            if (nodes_[node].token >= 0) best = nodes_[node].token, best_end = size_t(i) + 1;
        }
        if (best < 0) {
            ++pos;
            continue;
        }
        const AddedToken& token = tokens_[best];
        size_t start = pos, stop = best_end;
        pos = best_end;  // matches never overlap, even when this one is rejected below
        if (token.single_word &&
            (is_word_char_at_end(text.substr(0, start)) || is_word_char_at_start(text.substr(stop))))
            continue;
        if (token.lstrip) start = std::max(whitespace_suffix_start(text.substr(0, start)), segment_start);
        if (token.rstrip) stop += whitespace_prefix_length(text.substr(stop));
        if (segment_start < start) out.push_back({segment_start, start, -1});
        out.push_back({start, stop, token.id});
        segment_start = pos = stop;
    }
    if (segment_start < n) out.push_back({segment_start, n, -1});
}

}  // namespace whale
