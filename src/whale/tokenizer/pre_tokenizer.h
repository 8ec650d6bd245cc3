// The tokenizer.json "pre_tokenizer": cuts text into the pieces that BPE merges within. Supports a
// Sequence of Split steps (regex or literal pattern, any behaviour, invert) ending in ByteLevel
// (add_prefix_space, use_regex with the GPT-2 pattern). Each step runs on every piece of the step
// before, and a regex sees only its piece, so lookarounds stop at piece edges as in HF.
// The byte-to-alphabet mapping of ByteLevel is left to BPE, which works on raw bytes.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "whale/tokenizer/regex.h"

namespace whale {

enum class SplitBehavior {
    SplitBehavior_removed,               // drop matches, keep the text between them
    SplitBehavior_isolated,              // matches and the text between them become pieces
    SplitBehavior_merged_with_previous,  // a match is glued to the piece before it
    SplitBehavior_merged_with_next,      // a match is glued to the piece after it
    SplitBehavior_contiguous,            // neighbouring matches form one piece
};

enum class PreTokenizerStepKind { PreTokenizerStepKind_split, PreTokenizerStepKind_prefix_space };

struct PreTokenizerStep {
    PreTokenizerStepKind kind;
    std::optional<Regex> regex;  // split only
    SplitBehavior behavior = SplitBehavior::SplitBehavior_isolated;
    bool invert = false;
};

// Per-call output and scratch of PreTokenizer::split (callers reuse one to avoid allocations).
struct PieceBuffer {
    struct Span {
        size_t start, end;
        bool is_match;
    };
    std::vector<std::string_view> pieces;  // into the input text or into `owned`
    std::deque<std::string> owned;         // pieces that got a prefix space
    std::vector<std::vector<Span>> levels;  // one span list per step depth

    void clear() {
        pieces.clear();
        owned.clear();
    }
};

class PreTokenizer {
public:
    // `node` is the value of "pre_tokenizer"; `where` names it for error messages.
    static PreTokenizer from_json(const nlohmann::json& node, const std::string& where);

    // Appends the pieces of `text` to buffer.pieces, in order (no empty pieces).
    void split(std::string_view text, PieceBuffer& buffer) const;

private:
    void add(const nlohmann::json& node, const std::string& where, bool last);
    void run(size_t step, std::string_view piece, PieceBuffer& buffer) const;
    std::vector<PreTokenizerStep> steps_;
};

}  // namespace whale
