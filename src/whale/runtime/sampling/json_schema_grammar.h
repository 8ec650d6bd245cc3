// A character-level recognizer for compact JSON that follows a compiled schema (json_schema.h),
// which the token mask (json_constraint.h) drives; "any JSON object" is such a schema too
// (any_json_object_schema). Object members come in the order the schema lists them (optional ones
// may be left out, required ones may not), keys are only ever the listed names (or any short
// printable key in an any_keys object), strings hold printable ASCII without escapes within their
// length bounds, numbers are bounded in length, and enum values are matched as whole JSON texts.
// min_chars_to_close() counts what the schema still demands (required members, minimum items), so
// a generation steered by it always ends with a valid value. Trivially copyable: it points at the
// compiled schema, which must outlive it.
#pragma once

#include <array>
#include <cstdint>

#include "whale/runtime/sampling/json_schema.h"

namespace whale {

class SchemaGrammar {
public:
    static constexpr int max_number = 12;

    explicit SchemaGrammar(const JsonSchema* schema) : schema_(schema), node_(uint16_t(schema->root)) {}

    bool feed(char c);  // false: c cannot come next (the grammar is then unusable)
    bool complete() const { return mode_ == Mode::Mode_done; }
    int min_chars_to_close() const;

private:
    enum class Mode : uint8_t {
        Mode_value,         // a value of node_ must start
        Mode_object_first,  // after '{': a key or '}'
        Mode_key,           // after ',' in an object: a key
        Mode_in_key,
        Mode_colon,
        Mode_array_first,   // after '[': an item or ']'
        Mode_in_string,
        Mode_in_number,
        Mode_in_literal,
        Mode_after_value,   // ',' or the container's close
        Mode_done,
    };
    enum class NumberPart : uint8_t { NumberPart_sign, NumberPart_zero, NumberPart_int, NumberPart_dot, NumberPart_frac };
    struct Frame {
        uint16_t node;
        uint8_t next;   // object: the first property that may still come; array: items begun
    };

    const SchemaNode& node(int id) const { return schema_->nodes[size_t(id)]; }
    const SchemaNode& top_node() const { return node(stack_[size_t(depth_ - 1)].node); }
    bool start_value(int id, char c);
    bool after_value(char c);
    bool any_key_char(const SchemaNode& object, char c);
    uint64_t key_candidates(const Frame& frame) const;
    static bool required_after(const SchemaNode& object, int from);
    int required_rest(const SchemaNode& object, int from, bool comma_first) const;
    int member_chars(const SchemaNode& object, int key) const;
    int frames_rest(int frames) const;

    const JsonSchema* schema_;
    std::array<Frame, JsonSchema::max_depth> stack_{};
    int depth_ = 0;
    Mode mode_ = Mode::Mode_value;
    uint16_t node_;               // the node of the value being written
    NumberPart number_ = NumberPart::NumberPart_sign;
    uint64_t candidates_ = 0;     // keys or literals still matching
    int length_ = 0;              // chars of the current key, string, number or literal
};

}  // namespace whale
