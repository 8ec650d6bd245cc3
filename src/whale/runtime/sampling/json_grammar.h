// A character-level recognizer for the JSON that constrained decoding lets a model write: one
// top-level object in compact form (no whitespace), strings of printable ASCII without escapes,
// and bounded depth, members, string and number lengths, so that every prefix it accepts can be
// completed and a generation always ends. min_chars_to_close() says how many more characters the
// shortest completion needs; the token mask uses it to steer towards closing as the budget runs out.
// Trivially copyable: the mask copies it once per candidate token.
#pragma once

#include <array>
#include <cstdint>

namespace whale {

class JsonGrammar {
public:
    static constexpr int max_depth = 6;
    static constexpr int max_members = 8;
    static constexpr int max_string = 32;
    static constexpr int max_number = 12;

    bool feed(char c);  // false: c cannot come next (the grammar is then unusable)
    bool complete() const { return mode_ == Mode::Mode_done; }
    int min_chars_to_close() const;

private:
    enum class Mode : uint8_t {
        Mode_start,          // before the top-level '{'
        Mode_value,          // a value must come (after ':' or ',' in an array)
        Mode_object_first,   // after '{': a key or '}'
        Mode_array_first,    // after '[': a value or ']'
        Mode_key,            // after ',' in an object: a key
        Mode_in_key,
        Mode_colon,
        Mode_in_string,
        Mode_in_number,
        Mode_in_literal,
        Mode_after_value,    // ',' or the container's close
        Mode_done,
    };
    enum class NumberPart : uint8_t { NumberPart_sign, NumberPart_zero, NumberPart_int, NumberPart_dot, NumberPart_frac };
    struct Frame {
        char close;    // '}' or ']'
        uint8_t members;
    };

    bool start_value(char c);
    bool after_value(char c);
    bool open(char close);

    std::array<Frame, max_depth> stack_{};
    int depth_ = 0;
    Mode mode_ = Mode::Mode_start;
    NumberPart number_ = NumberPart::NumberPart_sign;
    int length_ = 0;            // chars in the current string or number
    const char* literal_ = "";  // the rest of true/false/null still to come
};

}  // namespace whale
