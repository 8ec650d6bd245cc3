// Pre-tokenizer steps, run depth-first so no intermediate piece lists are built per step.
// Match and behaviour semantics follow HF tokenizers' Split (find_matches + SplitDelimiterBehavior).
#include "whale/tokenizer/pre_tokenizer.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/tokenizer/json_fields.h"
#include "whale/tokenizer/utf8.h"

namespace whale {

namespace {

// GPT-2's pattern, used by ByteLevel when use_regex is true.
constexpr const char* kByteLevelPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

SplitBehavior parse_behavior(const std::string& name, const std::string& where) {
    if (name == "Removed") return SplitBehavior::SplitBehavior_removed;
    if (name == "Isolated") return SplitBehavior::SplitBehavior_isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::SplitBehavior_merged_with_previous;
    if (name == "MergedWithNext") return SplitBehavior::SplitBehavior_merged_with_next;
    if (name == "Contiguous") return SplitBehavior::SplitBehavior_contiguous;
    fail(where, ".behavior: unknown split behavior \"", name,
         "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
}

using Span = PieceBuffer::Span;

// All matches of `regex` in `piece` plus the gaps between them, covering the piece.
void find_spans(const Regex& regex, std::string_view piece, std::vector<Span>& spans) {
    size_t prev = 0, search_from = 0;
    bool prev_was_match_end = false;  // an empty match right after a match is not a new match
    size_t start, end;
    while (search_from <= piece.size() && regex.find(piece, search_from, start, end)) {
        if (start == end && prev_was_match_end && start == prev) {
            if (start >= piece.size()) break;
            int length = 1;
            utf8_decode_at(piece, start, length);
            search_from = start + size_t(length);
            prev_was_match_end = false;
            continue;
        }
        if (prev != start) spans.push_back({prev, start, false});
        spans.push_back({start, end, true});
        prev = end;
        prev_was_match_end = true;
        search_from = end;
        if (start == end) {
            if (end >= piece.size()) break;
            int length = 1;
            utf8_decode_at(piece, end, length);
            search_from = end + size_t(length);
        }
    }
    if (prev != piece.size()) spans.push_back({prev, piece.size(), false});
}

// Rewrites `spans` in place according to the behaviour; is_match is meaningless afterwards.
void apply_behavior(SplitBehavior behavior, std::vector<Span>& spans) {
    std::vector<Span> out;
    switch (behavior) {
        case SplitBehavior::SplitBehavior_isolated:
            return;
        case SplitBehavior::SplitBehavior_removed:
            std::erase_if(spans, [](const Span& s) { return s.is_match; });
            return;
        case SplitBehavior::SplitBehavior_merged_with_previous: {
            bool previous_match = false;
            for (const Span& s : spans) {
                if (s.is_match && !previous_match && !out.empty()) out.back().end = s.end;
                else out.push_back({s.start, s.end, false});
                previous_match = s.is_match;
            }
            break;
        }
        case SplitBehavior::SplitBehavior_merged_with_next: {
            bool previous_match = false;
            for (size_t i = spans.size(); i-- > 0;) {
                const Span& s = spans[i];
                if (s.is_match && !previous_match && !out.empty()) out.back().start = s.start;
                else out.push_back({s.start, s.end, false});
                previous_match = s.is_match;
            }
            std::reverse(out.begin(), out.end());
            break;
        }
        case SplitBehavior::SplitBehavior_contiguous: {
            bool previous_match = false;
            for (const Span& s : spans) {
                if (s.is_match == previous_match && !out.empty()) out.back().end = s.end;
                else out.push_back({s.start, s.end, false});
                previous_match = s.is_match;
            }
            break;
        }
    }
    spans.swap(out);
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const nlohmann::json& node, const std::string& where) {
    PreTokenizer pre;
    WHALE_CHECK(!node.is_null(), where, ": expected a pre-tokenizer ending in ByteLevel, got null");
    if (json_string(node, "type", where) == "Sequence") {
        const nlohmann::json& list = json_array(node, "pretokenizers", where);
        WHALE_CHECK(!list.empty(), where, ".pretokenizers: expected at least one step");
        for (size_t i = 0; i < list.size(); ++i)
            pre.add(list[i], str_cat(where, ".pretokenizers[", i, "]"), i + 1 == list.size());
    } else {
        pre.add(node, where, true);
    }
    return pre;
}

void PreTokenizer::add(const nlohmann::json& node, const std::string& where, bool last) {
    const std::string type = json_string(node, "type", where);
    if (type == "Split") {
        WHALE_CHECK(!last, where, ": the pre-tokenizer must end with ByteLevel (only byte-level BPE is supported)");
        const nlohmann::json& pattern = json_object(node, "pattern", where);
        const bool literal = pattern.contains("String");
        WHALE_CHECK(literal || pattern.contains("Regex"), where, ".pattern: expected {\"Regex\": ...} or {\"String\": ...}");
        const std::string text = json_string(pattern, literal ? "String" : "Regex", where + ".pattern");
        steps_.push_back({PreTokenizerStepKind::PreTokenizerStepKind_split, Regex(text, literal, where + ".pattern"),
                          parse_behavior(json_string(node, "behavior", where), where),
                          json_bool(node, "invert", where, false)});
    } else if (type == "ByteLevel") {
        WHALE_CHECK(last, where, ": ByteLevel must be the last pre-tokenizer step");
        if (json_bool(node, "add_prefix_space", where, true))
            steps_.push_back({PreTokenizerStepKind::PreTokenizerStepKind_prefix_space, std::nullopt});
        if (json_bool(node, "use_regex", where, true))
            steps_.push_back({PreTokenizerStepKind::PreTokenizerStepKind_split,
                              Regex(kByteLevelPattern, false, where + " (GPT-2 pattern)"),
                              SplitBehavior::SplitBehavior_isolated, false});
    } else {
        fail(where, ": unsupported pre-tokenizer type \"", type, "\" (supported: Sequence, Split, ByteLevel)");
    }
}

void PreTokenizer::split(std::string_view text, PieceBuffer& buffer) const {
    // Sized before recursing: run() holds references into these vectors.
    if (buffer.levels.size() < steps_.size()) buffer.levels.resize(steps_.size());
    run(0, text, buffer);
}

void PreTokenizer::run(size_t step, std::string_view piece, PieceBuffer& buffer) const {
    if (piece.empty()) return;
    if (step == steps_.size()) {
        buffer.pieces.push_back(piece);
        return;
    }
    const PreTokenizerStep& s = steps_[step];
    if (s.kind == PreTokenizerStepKind::PreTokenizerStepKind_prefix_space) {
        if (piece.front() == ' ') return run(step + 1, piece, buffer);
        std::string& prefixed = buffer.owned.emplace_back(1, ' ');
        prefixed.append(piece);
        return run(step + 1, prefixed, buffer);
    }
    std::vector<Span>& spans = buffer.levels[step];
    spans.clear();
    find_spans(*s.regex, piece, spans);
    if (s.invert)
        for (Span& span : spans) span.is_match = !span.is_match;
    apply_behavior(s.behavior, spans);
    for (size_t i = 0; i < spans.size(); ++i)  // index loop: deeper levels never touch this vector
        run(step + 1, piece.substr(spans[i].start, spans[i].end - spans[i].start), buffer);
}

}  // namespace whale
